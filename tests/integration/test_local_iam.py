"""The local stack holds every function to its policy in template.yaml, checks pre-signed
S3 URLs as S3 does, and keeps its state files to their owner."""

from __future__ import annotations

import datetime
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import botocore.auth
import pytest
import requests
from botocore.config import Config

from tests.integration.stack import ROOT, LocalStack, start_stack

pytestmark = pytest.mark.integration
BULK = "/v1.0/admin/connector/job"
# The policy the weakened template takes from TenantGetFunction alone: the shared managed
# policy that lets a function read the caller's access key (the other functions keep it).
AUTHENTICATE = "        - !Ref AuthenticateCallerPolicy\n"


def _weakened_template(directory: Path) -> Path:
    """template.yaml with TenantGetFunction's AuthenticateCaller policy taken away."""
    text = (ROOT / "template.yaml").read_text()
    start = text.index("\n  TenantGetFunction:\n")
    end = text.index("\n      Events:\n", start)
    assert AUTHENTICATE in text[start:end]
    body = text[start:end].replace(AUTHENTICATE, "", 1)
    copy = directory / "template-weakened.yaml"
    copy.write_text(text[:start] + body + text[end:])
    return copy


@pytest.fixture(scope="module")
def weakened(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """A stack that keeps its state (as ``make run``), from the weakened template, whose
    state directory an older run left readable to others."""
    state_dir = tmp_path_factory.mktemp("weakened")
    state_dir.chmod(0o755)
    left_behind = state_dir / "salesforce"
    left_behind.mkdir(mode=0o755)
    (left_behind / "from-an-older-run.json").write_text("{}")
    (left_behind / "from-an-older-run.json").chmod(0o644)
    template = _weakened_template(tmp_path_factory.mktemp("template"))
    # An absolute --template: CodeUri paths stay relative to the project root.
    running = start_stack(state_dir, "--template", str(template))
    yield running
    assert running.stop() == 0


def test_a_call_the_policy_lacks_fails_with_access_denied_and_the_api_answers_500(weakened: LocalStack) -> None:
    tenant = weakened.csadmin("tenant", "create", "--name", "Weakened")
    headers = {"accesskey": tenant["accessKey"]}
    answer = requests.get(f"{weakened.api}/v1/tenant", headers=headers, timeout=60)
    # What the deployed function answers: its unexpected-error envelope, no detail leaked.
    assert answer.status_code == 500, answer.text
    assert answer.json()["result"] is False and answer.json()["errorCode"] == "GU_1101"
    assert "AccessDenied" not in answer.text
    # ... because the SDK in the function raised AWS's refusal.
    table = weakened.info["tables"]["TenantTable"]
    log = weakened.output()
    assert "An error occurred (AccessDeniedException) when calling the BatchGetItem operation" in log
    assert (
        "assumed-role/cs-platform-local-TenantGetFunctionRole/cs-platform-local-TenantGetFunction is not "
        "authorized to perform: dynamodb:BatchGetItem on resource: "
        f"arn:aws:dynamodb:us-east-1:123456789012:table/{table}"
    ) in log
    # Other functions keep their own policies: the same key authenticates elsewhere.
    listed = requests.get(f"{weakened.api}/v1/connectors/salesforce/connections", headers=headers, timeout=60)
    assert listed.status_code == 200, listed.text


def test_state_files_are_readable_by_their_owner_only(weakened: LocalStack) -> None:
    state_dir = weakened.state_dir
    assert stat.S_IMODE(state_dir.stat().st_mode) == 0o700
    paths = [state_dir, *state_dir.rglob("*")]
    names = {p.name for p in paths}
    assert {"stack.json", "connected-app.json", "from-an-older-run.json", "stack.log"} <= names
    readable = {str(p.relative_to(state_dir)): oct(p.stat().st_mode) for p in paths if p.stat().st_mode & 0o077}
    assert not readable


# ---------------------------------------------------------------- pre-signed uploads


def _upload_url(stack: LocalStack, access_key: str) -> str:
    answer = requests.post(
        f"{stack.api}{BULK}/bulkimport/upload-url", headers={"accesskey": access_key}, json={}, timeout=60
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["data"]["uploadUrl"])


def _code(answer: requests.Response) -> str:
    return answer.text.split("<Code>", 1)[-1].split("</Code>", 1)[0]


def _local_s3(stack: LocalStack) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=stack.info["awsEndpointUrl"],
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


@pytest.fixture
def other_tenant(stack: LocalStack) -> dict[str, str]:
    return stack.csadmin("tenant", "create", "--name", "Other")


def test_a_presigned_upload_url_takes_exactly_what_it_was_signed_for(
    stack: LocalStack, tenant: dict[str, str], other_tenant: dict[str, str]
) -> None:
    url = _upload_url(stack, tenant["accessKey"])
    path = urlsplit(url).path
    assert f"/uploads/{tenant['tenantId']}/" in path and "X-Amz-Credential=ASIA" in url  # signed by the function
    bucket, key = path.lstrip("/").split("/", 1)

    elsewhere = url.replace(f"/uploads/{tenant['tenantId']}/", f"/uploads/{other_tenant['tenantId']}/")
    refused = requests.put(elsewhere, data=b"a,b\r\n", timeout=30)
    assert (refused.status_code, _code(refused)) == (403, "SignatureDoesNotMatch")
    renamed = url.replace(".csv?", "x.csv?")
    assert _code(requests.put(renamed, data=b"a,b\r\n", timeout=30)) == "SignatureDoesNotMatch"
    signature = url.split("X-Amz-Signature=", 1)[1][:64]
    forged = url.replace(signature, ("0" if signature[0] != "0" else "1") + signature[1:])
    refused = requests.put(forged, data=b"a,b\r\n", timeout=30)
    assert (refused.status_code, _code(refused)) == (403, "SignatureDoesNotMatch")
    s3 = _local_s3(stack)
    for wrong in (elsewhere, renamed, forged):
        wrong_bucket, wrong_key = urlsplit(wrong).path.lstrip("/").split("/", 1)
        assert s3.list_objects_v2(Bucket=wrong_bucket, Prefix=wrong_key)["KeyCount"] == 0

    accepted = requests.put(url, data=b"a,b\r\n", timeout=30)
    assert accepted.status_code == 200, accepted.text
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"a,b\r\n"
    # A browser's CORS preflight carries no signature; S3 answers it all the same.
    preflight = requests.options(url, headers={"Origin": "https://app.example", "Access-Control-Request-Method": "PUT"})
    assert preflight.status_code == 200


def test_an_expired_or_unknown_presigned_url_is_refused(
    stack: LocalStack, tenant: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket, key = urlsplit(_upload_url(stack, tenant["accessKey"])).path.lstrip("/").split("/", 1)
    an_hour_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: an_hour_ago)
    old = _local_s3(stack).generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=60)
    monkeypatch.undo()
    refused = requests.put(old, data=b"x", timeout=30)
    assert (refused.status_code, _code(refused)) == (403, "AccessDenied") and "Request has expired" in refused.text

    stranger = boto3.client(
        "s3",
        endpoint_url=stack.info["awsEndpointUrl"],
        region_name="us-east-1",
        aws_access_key_id="AKIA" + uuid.uuid4().hex[:16].upper(),
        aws_secret_access_key="guess",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    ).generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=60)
    refused = requests.put(stranger, data=b"x", timeout=30)
    assert (refused.status_code, _code(refused)) == (403, "InvalidAccessKeyId")
    assert _local_s3(stack).list_objects_v2(Bucket=bucket, Prefix=key)["KeyCount"] == 0
