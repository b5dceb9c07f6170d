"""The local stack's IAM: policies evaluated as IAM does, requests mapped to what IAM
authorizes, refusals the SDK reads as AWS's, and pre-signed S3 URLs checked as S3 does."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from cslocal import sigv4
from cslocal.aws_requests import KeySchemas, Request, RequestMapper, UnmappedRequest
from cslocal.aws_server import LocalAwsServer
from cslocal.iam import Call, Decision, Statement, UnsupportedPolicy, evaluate, function_statements
from cslocal.iam_guard import PolicyGuard, Principal
from cslocal.resources import create_all
from cslocal.template import Stack, load_stack

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "iam"
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/t"


def _statement(
    effect: str = "Allow", action: Any = "dynamodb:GetItem", resource: Any = TABLE, **condition: Any
) -> Statement:
    raw = {"Effect": effect, "Action": action, "Resource": resource}
    if condition:
        raw["Condition"] = condition
    return Statement.parse(raw, "test")


# ---------------------------------------------------------------- policy evaluation


def test_an_allow_for_the_action_and_resource_allows() -> None:
    assert evaluate([_statement()], Call("dynamodb:GetItem", TABLE)) is Decision.ALLOWED


def test_without_a_matching_allow_the_call_is_denied() -> None:
    statements = [_statement(), _statement(action="dynamodb:UpdateItem", resource=TABLE + "2")]
    assert evaluate(statements, Call("dynamodb:UpdateItem", TABLE)) is Decision.IMPLICIT_DENY
    assert evaluate([], Call("dynamodb:GetItem", TABLE)) is Decision.IMPLICIT_DENY


def test_an_explicit_deny_wins_over_any_allow() -> None:
    statements = [_statement(action="dynamodb:*"), _statement("Deny", action="dynamodb:DeleteItem", resource="*")]
    assert evaluate(statements, Call("dynamodb:DeleteItem", TABLE)) is Decision.EXPLICIT_DENY
    assert evaluate(statements, Call("dynamodb:PutItem", TABLE)) is Decision.ALLOWED


def test_action_wildcards_ignore_case_and_resource_wildcards_do_not() -> None:
    items = [_statement(action="DynamoDB:*Item", resource="arn:aws:dynamodb:*:*:table/t?")]
    assert evaluate(items, Call("dynamodb:UpdateItem", TABLE + "1")) is Decision.ALLOWED
    assert evaluate(items, Call("dynamodb:Query", TABLE + "1")) is Decision.IMPLICIT_DENY
    assert evaluate(items, Call("dynamodb:GetItem", TABLE)) is Decision.IMPLICIT_DENY  # ? is one character
    assert evaluate(items, Call("dynamodb:GetItem", TABLE.upper() + "1")) is Decision.IMPLICIT_DENY
    index = [_statement(resource=TABLE + "/index/*")]
    assert evaluate(index, Call("dynamodb:GetItem", TABLE + "/index/GSI1")) is Decision.ALLOWED


def test_leading_keys_for_all_values_holds_every_key_to_the_pattern() -> None:
    own = [_statement(**{"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["t1#*"]}})]
    assert (
        evaluate(own, Call("dynamodb:GetItem", TABLE, context={"dynamodb:leadingkeys": ("t1#a",)})) is Decision.ALLOWED
    )
    both = {"dynamodb:leadingkeys": ("t1#a", "t2#a")}
    assert evaluate(own, Call("dynamodb:GetItem", TABLE, context=both)) is Decision.IMPLICIT_DENY
    exact = [_statement(**{"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["t1"]}})]
    assert evaluate(exact, Call("dynamodb:GetItem", TABLE, context={"dynamodb:leadingkeys": ("t1",)})).name == "ALLOWED"
    assert (
        evaluate(exact, Call("dynamodb:GetItem", TABLE, context={"dynamodb:leadingkeys": ("t1x",)})).name != "ALLOWED"
    )


def test_ses_from_address_and_bool_conditions() -> None:
    sender = [_statement(action="ses:SendEmail", resource="*", StringEquals={"ses:FromAddress": "a@x.com"})]
    call = Call("ses:SendEmail", "arn:aws:ses:us-east-1:123456789012:identity/a@x.com")
    assert (
        evaluate(sender, Call(call.action, call.resource, context={"ses:fromaddress": ("a@x.com",)})).name == "ALLOWED"
    )
    assert (
        evaluate(sender, Call(call.action, call.resource, context={"ses:fromaddress": ("b@x.com",)})).name != "ALLOWED"
    )
    assert evaluate(sender, call) is Decision.IMPLICIT_DENY  # no sender in the request: StringEquals fails
    secure = [_statement(Bool={"aws:SecureTransport": "true"})]
    assert (
        evaluate(secure, Call("dynamodb:GetItem", TABLE, context={"aws:securetransport": ("True",)})).name == "ALLOWED"
    )


def test_operators_that_are_not_evaluated_fail_loudly() -> None:
    with pytest.raises(UnsupportedPolicy, match="NumericLessThan"):
        _statement(NumericLessThan={"aws:MultiFactorAuthAge": "3600"})
    with pytest.raises(UnsupportedPolicy, match="NotAction"):
        Statement.parse({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}, "test")


def _stack_with_policies(tmp_path: Path, policies: str) -> Stack:
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        f"      CodeUri: .\n      Policies:\n{policies}"
    )
    return load_stack(tmp_path, "s")


def test_sam_policy_templates_and_managed_policies_fail_loudly(tmp_path: Path) -> None:
    template = _stack_with_policies(tmp_path, "        - DynamoDBCrudPolicy:\n            TableName: t\n")
    with pytest.raises(UnsupportedPolicy, match="DynamoDBCrudPolicy"):
        function_statements(template, "Fn")
    managed = _stack_with_policies(tmp_path, "        - AWSLambdaBasicExecutionRole\n")
    with pytest.raises(UnsupportedPolicy, match="AWSLambdaBasicExecutionRole"):
        function_statements(managed, "Fn")


def test_a_managed_policy_of_the_template_is_its_statements(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(
        "Resources:\n"
        "  Shared:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n"
        "        Statement:\n          - Sid: Count\n            Effect: Allow\n"
        "            Action: [dynamodb:UpdateItem]\n            Resource: !GetAtt Limits.Arn\n"
        "  Limits:\n    Type: AWS::DynamoDB::Table\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: .\n"
        "      Policies:\n        - !Ref Shared\n"
        "        - Statement: [{Sid: Own, Effect: Allow, Action: s3:GetObject, Resource: '*'}]\n"
        "  Other:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: .\n"
        "      Policies:\n        - !Ref Limits\n"
    )
    stack = load_stack(tmp_path, "s")
    statements = function_statements(stack, "Fn")
    assert [s.sid for s in statements] == ["Count", "Own"]
    limits = "arn:aws:dynamodb:us-east-1:123456789012:table/s-Limits"
    assert evaluate(statements, Call("dynamodb:UpdateItem", limits)) is Decision.ALLOWED
    assert evaluate(statements, Call("dynamodb:GetItem", limits)) is Decision.IMPLICIT_DENY
    with pytest.raises(UnsupportedPolicy, match="'Limits' is neither inline nor a managed policy of this template"):
        function_statements(stack, "Other")  # a !Ref to anything else is refused


def test_policies_resolve_intrinsics_in_both_forms() -> None:
    stack = load_stack(FIXTURE, "iam")
    stack.physical_ids["TokenKey"] = "1234abcd-0000-0000-0000-000000000000"
    resources = {r for s in function_statements(stack, "ProbeFunction") for r in s.resources}
    assert "arn:aws:dynamodb:us-east-1:123456789012:table/iam-ItemsTable/index/*" in resources
    assert "arn:aws:s3:::iam-fixture-files/in/*" in resources  # from the PolicyName/PolicyDocument form
    assert "arn:aws:kms:us-east-1:123456789012:key/1234abcd-0000-0000-0000-000000000000" in resources
    assert "arn:aws:scheduler:us-east-1:123456789012:schedule/iam-fixture-jobs/job-?" in resources


# ---------------------------------------------------------------- request mapping


MAPPER = RequestMapper(KeySchemas({"t": "PK"}, {("t", "GSI1"): "GSI1PK"}))


def _request(service: str, method: str = "POST", path: str = "/", body: Any = b"", **headers: str) -> Request:
    query = dict(parse_qsl(urlsplit(path).query, keep_blank_values=True))
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    return Request(service, "us-east-1", method, unquote(urlsplit(path).path), query, headers, data)


def _dynamodb(operation: str, body: dict[str, Any]) -> list[Call]:
    return MAPPER.calls(_request("dynamodb", body=body, **{"x-amz-target": f"DynamoDB_20120810.{operation}"}))


def test_dynamodb_calls_are_per_table_per_item_with_their_leading_keys() -> None:
    (get,) = _dynamodb("GetItem", {"TableName": "t", "Key": {"PK": {"S": "a"}, "SK": {"S": "x"}}})
    assert (get.action, get.resource, get.context) == ("dynamodb:GetItem", TABLE, {"dynamodb:leadingkeys": ("a",)})
    (query,) = _dynamodb(
        "Query",
        {
            "TableName": "t",
            "IndexName": "GSI1",
            "KeyConditionExpression": "#p = :p AND begins_with(SK, :s)",
            "ExpressionAttributeNames": {"#p": "GSI1PK"},
            "ExpressionAttributeValues": {":p": {"S": "g"}, ":s": {"S": "x"}},
        },
    )
    assert (query.resource, query.context) == (TABLE + "/index/GSI1", {"dynamodb:leadingkeys": ("g",)})
    batch = _dynamodb(
        "BatchWriteItem",
        {
            "RequestItems": {
                "t": [{"PutRequest": {"Item": {"PK": {"S": "a"}}}}, {"DeleteRequest": {"Key": {"PK": {"S": "b"}}}}],
                "u": [{"PutRequest": {"Item": {"PK": {"S": "c"}}}}],
            }
        },
    )
    assert [(c.action, c.resource.rsplit("/", 1)[1], c.context) for c in batch] == [
        ("dynamodb:BatchWriteItem", "t", {"dynamodb:leadingkeys": ("a", "b")}),
        ("dynamodb:BatchWriteItem", "u", {}),  # a table the stack does not know: no key schema
    ]
    transaction = _dynamodb(
        "TransactWriteItems",
        {
            "TransactItems": [
                {"Put": {"TableName": "t", "Item": {"PK": {"S": "a"}}}},
                {"Update": {"TableName": "t", "Key": {"PK": {"S": "b"}}}},
                {"Delete": {"TableName": "t", "Key": {"PK": {"S": "c"}}}},
                {"ConditionCheck": {"TableName": "t", "Key": {"PK": {"S": "d"}}}},
            ]
        },
    )
    assert [c.action for c in transaction] == [
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
    ]
    (read,) = _dynamodb("TransactGetItems", {"TransactItems": [{"Get": {"TableName": "t", "Key": {"PK": {"S": "a"}}}}]})
    assert read.action == "dynamodb:GetItem"


def test_sqs_in_both_protocols_and_batches_as_the_single_action() -> None:
    url = "http://127.0.0.1:5000/123456789012/q"
    (json_call,) = MAPPER.calls(
        _request("sqs", body={"QueueUrl": url, "Entries": []}, **{"x-amz-target": "AmazonSQS.SendMessageBatch"})
    )
    assert (json_call.action, json_call.resource) == ("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:q")
    form = f"Action=ReceiveMessage&QueueUrl={url}".encode()
    (query_call,) = MAPPER.calls(_request("sqs", body=form, **{"content-type": "application/x-www-form-urlencoded"}))
    assert (query_call.action, query_call.resource) == ("sqs:ReceiveMessage", "arn:aws:sqs:us-east-1:123456789012:q")


def test_s3_objects_lists_copies_deletes_and_multipart() -> None:
    def calls(method: str, path: str, body: bytes = b"", **headers: str) -> list[tuple[str, str]]:
        return [(c.action, c.resource) for c in MAPPER.calls(_request("s3", method, path, body, **headers))]

    assert calls("PUT", "/b/in/a%20b.csv") == [("s3:PutObject", "arn:aws:s3:::b/in/a b.csv")]
    assert calls("HEAD", "/b/k") == [("s3:GetObject", "arn:aws:s3:::b/k")]
    assert calls("GET", "/b?list-type=2&prefix=in/") == [("s3:ListBucket", "arn:aws:s3:::b")]
    assert calls("POST", "/b/k?uploads") == [("s3:PutObject", "arn:aws:s3:::b/k")]
    assert calls("PUT", "/b/k?partNumber=1&uploadId=u") == [("s3:PutObject", "arn:aws:s3:::b/k")]
    assert calls("DELETE", "/b/k?uploadId=u") == [("s3:AbortMultipartUpload", "arn:aws:s3:::b/k")]
    assert calls("PUT", "/b/k", **{"x-amz-copy-source": "/src/x"}) == [
        ("s3:PutObject", "arn:aws:s3:::b/k"),
        ("s3:GetObject", "arn:aws:s3:::src/x"),
    ]
    delete = b'<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a</Key></Object><Object><Key>b</Key></Object></Delete>'
    assert calls("POST", "/b?delete", delete) == [
        ("s3:DeleteObject", "arn:aws:s3:::b/a"),
        ("s3:DeleteObject", "arn:aws:s3:::b/b"),
    ]
    with pytest.raises(UnmappedRequest):
        MAPPER.calls(_request("s3", "PUT", "/b?replication"))


def test_secrets_scheduler_ses_and_unknown_services() -> None:
    (secret,) = MAPPER.calls(
        _request("secretsmanager", body={"SecretId": "app/x"}, **{"x-amz-target": "secretsmanager.GetSecretValue"})
    )
    assert secret.resource == "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/x" and secret.aliases == (
        "app/x",
    )
    create = MAPPER.calls(
        _request(
            "scheduler",
            "POST",
            "/schedules/job-1",
            {"GroupName": "g", "Target": {"RoleArn": "arn:aws:iam::123456789012:role/r"}},
        )
    )
    assert [(c.action, c.resource) for c in create] == [
        ("scheduler:CreateSchedule", "arn:aws:scheduler:us-east-1:123456789012:schedule/g/job-1"),
        ("iam:PassRole", "arn:aws:iam::123456789012:role/r"),
    ]
    (delete,) = MAPPER.calls(_request("scheduler", "DELETE", "/schedules/job-1?groupName=g"))
    assert delete.action == "scheduler:DeleteSchedule" and delete.resource.endswith("schedule/g/job-1")
    (v1,) = MAPPER.calls(_request("ses", body=b"Action=SendEmail&Source=CS%20%3Ca%40x.com%3E"))
    assert v1.action == "ses:SendEmail" and v1.context == {"ses:fromaddress": ("a@x.com",)}
    (v2,) = MAPPER.calls(_request("ses", "POST", "/v2/email/outbound-emails", {"FromEmailAddress": "a@x.com"}))
    assert v2.context == {"ses:fromaddress": ("a@x.com",)}
    with pytest.raises(UnmappedRequest, match="lambda"):
        MAPPER.calls(_request("lambda", "POST", "/2015-03-31/functions/f/invocations"))


# ---------------------------------------------------------------- the embedded AWS with the guard


@pytest.fixture(scope="module")
def embedded() -> Iterator[tuple[str, PolicyGuard, Stack]]:
    server = LocalAwsServer(0, None).start()
    stack = load_stack(FIXTURE, "iam")
    stack.endpoint_hint = server.url
    session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name="us-east-1")
    previous = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")}
    os.environ.update(AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local", AWS_DEFAULT_REGION="us-east-1")
    try:
        create_all(stack, server.url)
        session.client("ses", endpoint_url=server.url).verify_email_identity(EmailAddress="sender@example.com")
        session.client("ses", endpoint_url=server.url).verify_email_identity(EmailAddress="other@example.com")
        guard = PolicyGuard(stack, {"local": "local"})
        server.app.guard = guard
        yield server.url, guard, stack
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        server.stop()


def _probe(guard: PolicyGuard) -> Principal:
    return next(p for p in guard.principals.values() if p.logical_id == "ProbeFunction")


def _client(embedded: tuple[str, PolicyGuard, Stack], service: str, principal: Principal | None = None) -> Any:
    url, guard, _ = embedded
    env = (principal or _probe(guard)).environment()
    signing = "s3v4" if service == "s3" else None  # as cscore's S3 client: SigV4, also when pre-signing
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=env["AWS_SESSION_TOKEN"],
        config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}, signature_version=signing),
    )


def _operator(embedded: tuple[str, PolicyGuard, Stack], service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=embedded[0],
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def test_each_function_gets_credentials_of_its_own(embedded: tuple[str, PolicyGuard, Stack]) -> None:
    credentials = embedded[1].credentials()
    assert set(credentials) == {"ProbeFunction"}
    key = credentials["ProbeFunction"]["AWS_ACCESS_KEY_ID"]
    assert key.startswith("ASIA") and len(key) == 20 and credentials["ProbeFunction"]["AWS_SESSION_TOKEN"]


def test_what_the_policy_allows_is_served(embedded: tuple[str, PolicyGuard, Stack]) -> None:
    _, _, stack = embedded
    table, queue = stack.physical_name("ItemsTable"), stack.ref("WorkQueue")
    dynamodb = _client(embedded, "dynamodb")
    dynamodb.put_item(TableName=table, Item={"PK": {"S": "t1#a"}, "Owner": {"S": "t1#o"}})
    assert dynamodb.get_item(TableName=table, Key={"PK": {"S": "t1#a"}})["Item"]["Owner"] == {"S": "t1#o"}
    by_owner = dynamodb.query(
        TableName=table,
        IndexName="ByOwner",
        KeyConditionExpression="#o = :o",
        ExpressionAttributeNames={"#o": "Owner"},
        ExpressionAttributeValues={":o": {"S": "t1#o"}},
    )
    assert by_owner["Count"] == 1
    _client(embedded, "sqs").send_message(QueueUrl=queue, MessageBody="hello")
    s3 = _client(embedded, "s3")
    s3.put_object(Bucket="iam-fixture-files", Key="in/a.csv", Body=b"x")
    assert s3.get_object(Bucket="iam-fixture-files", Key="in/a.csv")["Body"].read() == b"x"
    assert s3.list_objects_v2(Bucket="iam-fixture-files", Prefix="in/")["KeyCount"] == 1
    kms = _client(embedded, "kms")
    blob = kms.encrypt(KeyId="alias/iam-fixture-tokens", Plaintext=b"secret")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"  # the key is read from the blob
    assert _client(embedded, "secretsmanager").get_secret_value(SecretId="iam-fixture/app")["SecretString"]
    role = stack.get_att("SchedulerRole", "Arn")
    _client(embedded, "scheduler").create_schedule(
        Name="job-1",
        GroupName="iam-fixture-jobs",
        ScheduleExpression="rate(1 day)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": "arn:aws:lambda:us-east-1:123456789012:function:f", "RoleArn": role},
    )
    _client(embedded, "ses").send_email(
        Source="sender@example.com",
        Destination={"ToAddresses": ["a@example.com"]},
        Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}},
    )


def _refusals(embedded: tuple[str, PolicyGuard, Stack]) -> dict[str, tuple[Callable[[], Any], str]]:
    _, _, stack = embedded
    table = stack.physical_name("ItemsTable")
    schedule = {
        "GroupName": "iam-fixture-jobs",
        "ScheduleExpression": "rate(1 day)",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": {
            "Arn": "arn:aws:lambda:us-east-1:123456789012:function:f",
            "RoleArn": stack.get_att("SchedulerRole", "Arn"),
        },
    }
    other_role = {**schedule, "Target": {**schedule["Target"], "RoleArn": "arn:aws:iam::123456789012:role/admin"}}
    email = {
        "Destination": {"ToAddresses": ["a@example.com"]},
        "Message": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}},
    }
    dynamodb, s3 = _client(embedded, "dynamodb"), _client(embedded, "s3")
    return {
        "another partition": (
            lambda: dynamodb.put_item(TableName=table, Item={"PK": {"S": "t2#a"}}),
            "AccessDeniedException",
        ),
        "explicit deny": (
            lambda: dynamodb.delete_item(TableName=table, Key={"PK": {"S": "t1#a"}}),
            "AccessDeniedException",
        ),
        "an action no statement names": (lambda: dynamodb.scan(TableName=table), "AccessDeniedException"),
        "one item of a transaction": (
            lambda: dynamodb.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": table, "Item": {"PK": {"S": "t1#b"}}}},
                    {"Put": {"TableName": table, "Item": {"PK": {"S": "t3#b"}}}},
                ]
            ),
            "AccessDeniedException",
        ),
        "another queue": (
            lambda: _client(embedded, "sqs").send_message(QueueUrl=stack.ref("OtherQueue"), MessageBody="x"),
            "AccessDenied",
        ),
        "another prefix": (lambda: s3.put_object(Bucket="iam-fixture-files", Key="out/a", Body=b"x"), "AccessDenied"),
        "an object delete": (lambda: s3.delete_object(Bucket="iam-fixture-files", Key="in/a.csv"), "AccessDenied"),
        "another key": (
            lambda: _client(embedded, "kms").encrypt(KeyId="alias/iam-fixture-other", Plaintext=b"x"),
            "AccessDeniedException",
        ),
        "another secret": (
            lambda: _client(embedded, "secretsmanager").get_secret_value(SecretId="iam-fixture/other"),
            "AccessDeniedException",
        ),
        "another schedule": (
            lambda: _client(embedded, "scheduler").create_schedule(Name="job-10", **schedule),
            "AccessDeniedException",
        ),
        "another role passed": (
            lambda: _client(embedded, "scheduler").create_schedule(Name="job-2", **other_role),
            "AccessDeniedException",
        ),
        "another sender": (
            lambda: _client(embedded, "ses").send_email(Source="other@example.com", **email),
            "AccessDenied",
        ),
        "a service nobody mapped": (lambda: _client(embedded, "sts").get_caller_identity(), "AccessDenied"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "another partition",
        "explicit deny",
        "an action no statement names",
        "one item of a transaction",
        "another queue",
        "another prefix",
        "an object delete",
        "another key",
        "another secret",
        "another schedule",
        "another role passed",
        "another sender",
        "a service nobody mapped",
    ],
)
def test_what_the_policy_does_not_allow_fails_as_in_aws(embedded: tuple[str, PolicyGuard, Stack], case: str) -> None:
    call, code = _refusals(embedded)[case]
    with pytest.raises(ClientError) as refused:
        call()
    assert refused.value.response["Error"]["Code"] == code
    assert "is not authorized to perform" in refused.value.response["Error"]["Message"]


def test_the_dynamodb_refusal_reads_as_aws_writes_it(embedded: tuple[str, PolicyGuard, Stack]) -> None:
    _, guard, stack = embedded
    table = stack.physical_name("ItemsTable")
    with pytest.raises(ClientError) as refused:
        _client(embedded, "dynamodb").update_item(
            TableName=table,
            Key={"PK": {"S": "t9"}},
            UpdateExpression="SET a = :a",
            ExpressionAttributeValues={":a": {"S": "x"}},
        )
    assert refused.value.response["Error"]["Message"] == (
        f"User: arn:aws:sts::123456789012:assumed-role/iam-ProbeFunctionRole/{_probe(guard).function} is not "
        "authorized to perform: dynamodb:UpdateItem on resource: "
        f"arn:aws:dynamodb:us-east-1:123456789012:table/{table} "
        "because no identity-based policy allows the dynamodb:UpdateItem action"
    )
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError, match="with an explicit deny"):
        _client(embedded, "dynamodb").delete_item(TableName=table, Key={"PK": {"S": "t1#a"}})


def test_the_operators_key_is_unrestricted(embedded: tuple[str, PolicyGuard, Stack]) -> None:
    table = embedded[2].physical_name("ItemsTable")
    _operator(embedded, "dynamodb").put_item(TableName=table, Item={"PK": {"S": "t2#a"}})
    _operator(embedded, "dynamodb").delete_item(TableName=table, Key={"PK": {"S": "t2#a"}})


# ---------------------------------------------------------------- pre-signed URLs


def _environ(url: str, method: str = "PUT", **headers: str) -> dict[str, Any]:
    parts = urlsplit(url)
    environ = {
        "REQUEST_METHOD": method,
        "RAW_URI": parts.path + ("?" + parts.query if parts.query else ""),
        "PATH_INFO": parts.path,
        "QUERY_STRING": parts.query,
        "HTTP_HOST": parts.netloc,
    }
    environ |= {("CONTENT_TYPE" if k == "content_type" else f"HTTP_{k.upper()}"): v for k, v in headers.items()}
    return environ


def _presign(key: str = "in/t1/a b.csv", secret: str = "s3cret", **params: Any) -> str:
    client = boto3.client(
        "s3",
        endpoint_url="http://127.0.0.1:4566",
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key=secret,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    return str(client.generate_presigned_url("put_object", Params={"Bucket": "b", "Key": key, **params}, ExpiresIn=60))


def test_a_presigned_url_is_checked_as_s3_does() -> None:
    url = _presign()
    sigv4.verify_presigned(_environ(url), "s3cret")  # as signed: accepted
    signer = sigv4.signer(_environ(url))
    assert signer == sigv4.Signer("AKIDEXAMPLE", "s3", "us-east-1")
    typed = _presign(ContentType="text/csv")
    sigv4.verify_presigned(_environ(typed, content_type="text/csv"), "s3cret")

    def refused(environ: dict[str, Any], secret: str = "s3cret", now: float | None = None) -> str:
        with pytest.raises(sigv4.PresignError) as error:
            sigv4.verify_presigned(environ, secret, now)
        return error.value.code

    assert refused(_environ(url.replace("in/t1/", "in/t2/"))) == "SignatureDoesNotMatch"  # another tenant's prefix
    assert refused(_environ(url, method="GET")) == "SignatureDoesNotMatch"
    assert refused(_environ(url), secret="other") == "SignatureDoesNotMatch"
    tampered = url.replace("X-Amz-Signature=", "X-Amz-Signature=0")[:-1]
    assert refused(_environ(tampered)) == "SignatureDoesNotMatch"
    assert refused(_environ(typed, content_type="text/html")) == "SignatureDoesNotMatch"
    assert refused(_environ(url), now=time.time() + 61) == "AccessDenied"


def test_presigned_urls_reaching_the_embedded_aws(embedded: tuple[str, PolicyGuard, Stack]) -> None:
    s3 = _client(embedded, "s3")
    own = s3.generate_presigned_url(
        "put_object", Params={"Bucket": "iam-fixture-files", "Key": "in/up.csv"}, ExpiresIn=60
    )
    assert requests.put(own, data=b"up", timeout=10).status_code == 200
    outside = s3.generate_presigned_url("put_object", Params={"Bucket": "iam-fixture-files", "Key": "out/up.csv"})
    answer = requests.put(outside, data=b"up", timeout=10)
    assert answer.status_code == 403 and "<Code>AccessDenied</Code>" in answer.text  # signed, but not allowed
    nobody = boto3.client(
        "s3",
        endpoint_url=embedded[0],
        region_name="us-east-1",
        aws_access_key_id="AKIANOBODY",
        aws_secret_access_key="x",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    ).generate_presigned_url("put_object", Params={"Bucket": "iam-fixture-files", "Key": "in/up.csv"})
    answer = requests.put(nobody, data=b"up", timeout=10)
    assert answer.status_code == 403 and "<Code>InvalidAccessKeyId</Code>" in answer.text
    old_style = boto3.client(
        "s3",
        endpoint_url=embedded[0],
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(signature_version="s3", s3={"addressing_style": "path"}),
    ).generate_presigned_url("put_object", Params={"Bucket": "iam-fixture-files", "Key": "in/up.csv"})
    answer = requests.put(old_style, data=b"up", timeout=10)
    assert answer.status_code == 400 and "<Code>InvalidRequest</Code>" in answer.text  # SigV4 only
    preflight = requests.options(
        own, headers={"Origin": "http://x", "Access-Control-Request-Method": "PUT"}, timeout=10
    )
    assert preflight.status_code != 403
