"""The Bulk API's infrastructure in the local stack, over HTTP: the import bucket and queue
from template.yaml, S3 notifications (``imports/`` only) and the queue reaching the worker,
multipart uploads reaching their function byte for byte, and pre-signed URLs made by
cscore's S3 client working against the local endpoint.

The product template runs as it is, except that the worker and the upload function are
replaced by small recorders (written below), so these tests do not depend on the import
service itself.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_plus

import pytest
import requests

from cscore.platform import aws
from cslocal.template import load
from tests.integration.stack import ROOT, LocalStack, start_stack

pytestmark = pytest.mark.integration

STACK_NAME = "cs-platform-local"

# Records every invocation as a JSON object under recorded/ in the bucket it is configured with
# (recorded/ is outside the notification's prefix, so recording never notifies the worker).
RECORDER = """
import json
import os
import uuid

import boto3


def handler(event, context):
    s3 = boto3.client("s3")
    env = {k: os.environ.get(k) for k in ("BULK_BUCKET_NAME", "BULK_IMPORTS_QUEUE_URL")}
    for record in event.get("Records") or [event]:
        entry = {"record": record, "env": env, "remainingMs": context.get_remaining_time_in_millis()}
        s3.put_object(Bucket=env["BULK_BUCKET_NAME"], Key=f"recorded/{uuid.uuid4()}.json", Body=json.dumps(entry))
    if event.get("Records", [{}])[0].get("eventSource") == "aws:sqs":
        return {"batchItemFailures": []}
    return {"outcomes": ["RECORDED"]}
"""

# Answers what the gateway handed it: the body as it arrived, and whether it was base64-encoded.
ECHO = """
import base64
import hashlib
import json


def handler(event, context):
    raw = event.get("body") or ""
    data = base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode("utf-8")
    answer = {
        "isBase64Encoded": event.get("isBase64Encoded"),
        "sha256": hashlib.sha256(data).hexdigest(),
        "length": len(data),
        "resource": event.get("resource"),
    }
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(answer)}
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The product's template.yaml with two functions' code swapped for the recorders above."""
    work = tmp_path_factory.mktemp("bulk-infra")
    doc = load(ROOT / "template.yaml")
    for logical_id, code in (("BulkImportWorkerFunction", RECORDER), ("BulkImportStartFunction", ECHO)):
        code_dir = work / logical_id
        code_dir.mkdir()
        (code_dir / "app.py").write_text(code)
        doc["Resources"][logical_id]["Properties"]["CodeUri"] = str(code_dir)  # absolute: wins over --root
    template = work / "template.json"  # JSON is YAML; the intrinsic functions stay in their long form
    template.write_text(json.dumps(doc))
    state_dir = work / "state"
    state_dir.mkdir()
    running = start_stack(state_dir, "--no-persist", "--no-bootstrap", "--template", str(template))
    yield running
    assert running.stop() == 0


@pytest.fixture(scope="module")
def bucket(stack: LocalStack) -> str:
    return str(stack.info["tables"]["BulkImportBucket"])


def _queue_url(stack: LocalStack, logical_id: str) -> str:
    return str(stack.client("sqs").get_queue_url(QueueName=stack.info["tables"][logical_id])["QueueUrl"])


def _recorded(stack: LocalStack, bucket: str) -> list[dict[str, Any]]:
    s3 = stack.client("s3")
    listed = s3.list_objects_v2(Bucket=bucket, Prefix="recorded/").get("Contents") or []
    return [json.loads(s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()) for o in listed]


def _recorded_s3_keys(stack: LocalStack, bucket: str) -> list[str]:
    return [e["record"]["s3"]["object"]["key"] for e in _recorded(stack, bucket) if "s3" in e["record"]]


def test_the_bucket_and_queue_are_created_from_the_template(stack: LocalStack, bucket: str) -> None:
    # Named from the stack id (lower case, unique per stack), the same name every function is given.
    assert bucket.startswith("cs-bulk-imports-") and len(bucket) == len("cs-bulk-imports-") + 36
    assert uuid.UUID(bucket.removeprefix("cs-bulk-imports-"))
    s3 = stack.client("s3")
    rules = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert [(r["AllowedOrigins"], sorted(r["AllowedMethods"])) for r in rules] == [(["*"], ["GET", "PUT"])]
    (notification,) = s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]
    assert notification["Events"] == ["s3:ObjectCreated:*"]
    assert notification["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "imports/"}]
    assert notification["QueueArn"].endswith(f"{STACK_NAME}-s3-events-BulkImportWorkerFunction")

    attributes = stack.client("sqs").get_queue_attributes(
        QueueUrl=_queue_url(stack, "BulkImportsQueue"), AttributeNames=["RedrivePolicy", "VisibilityTimeout"]
    )["Attributes"]
    assert attributes["VisibilityTimeout"] == "5400"  # six times the worker's 900 s
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["maxReceiveCount"] == 3
    assert redrive["deadLetterTargetArn"].endswith(f"{STACK_NAME}-BulkImportsDLQ")


def test_a_file_under_imports_reaches_the_worker_and_others_do_not(stack: LocalStack, bucket: str) -> None:
    tag = uuid.uuid4().hex[:8]
    s3 = stack.client("s3")
    s3.put_object(Bucket=bucket, Key=f"uploads/{tag}.csv", Body=b"not yet started")
    s3.put_object(Bucket=bucket, Key=f"errors/{tag}.csv", Body=b"not an import")
    key = f"imports/T{tag}/teams {tag}.csv"
    s3.put_object(Bucket=bucket, Key=key, Body=b"Company Name,Email ID,Deleted\r\n")

    stack.wait_for(f"the worker to record {key}", lambda: any(tag in k for k in _recorded_s3_keys(stack, bucket)))
    time.sleep(1.0)  # the other two were written first; had they notified, they would be there by now
    entries = [e for e in _recorded(stack, bucket) if "s3" in e["record"] and tag in e["record"]["s3"]["object"]["key"]]
    assert len(entries) == 1
    record = entries[0]["record"]
    assert record["eventSource"] == "aws:s3" and record["eventName"].startswith("ObjectCreated:")
    assert record["s3"]["bucket"]["name"] == bucket
    # URL-encoded, as in AWS (which keeps "/" where moto writes %2F; the worker decodes either).
    assert f"teams+{tag}.csv" in record["s3"]["object"]["key"]
    assert unquote_plus(record["s3"]["object"]["key"]) == key
    # The worker is told the same bucket by name (no !Ref: see template.yaml) and its 900 s timeout.
    assert entries[0]["env"]["BULK_BUCKET_NAME"] == bucket
    assert 800_000 < entries[0]["remainingMs"] <= 900_000


def test_the_import_queue_is_polled_into_the_worker(stack: LocalStack, bucket: str) -> None:
    marker = uuid.uuid4().hex
    queue_url = _queue_url(stack, "BulkImportsQueue")
    stack.client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps({"marker": marker}))

    def delivered() -> list[dict[str, Any]]:
        return [e for e in _recorded(stack, bucket) if marker in e["record"].get("body", "")]

    (entry,) = stack.wait_for("the queued message at the worker", delivered)
    assert entry["record"]["eventSourceARN"] == f"arn:aws:sqs:us-east-1:123456789012:{STACK_NAME}-BulkImportsQueue"
    assert entry["env"]["BULK_IMPORTS_QUEUE_URL"].endswith(f"/{STACK_NAME}-BulkImportsQueue")


def test_a_multipart_upload_reaches_its_function_base64_encoded_byte_for_byte(stack: LocalStack) -> None:
    csv = "Company Name,Email ID,Deleted\r\nSociété Générale,jane@example.com,false\r\n"
    # Valid UTF-8 text: it is base64-encoded because multipart/form-data is a binary media type of
    # the API (BinaryMediaTypes), not because it could not be decoded.
    content = csv.encode() * 100
    url = f"{stack.api}/v1.0/admin/connector/job/bulkimport"
    sent = requests.post(url, files={"file": ("teams.csv", content, "text/csv")}, data={"jobId": "J1"}, timeout=30)
    assert sent.status_code == 200
    answer = sent.json()
    assert answer["isBase64Encoded"] is True
    assert answer["sha256"] == hashlib.sha256(sent.request.body).hexdigest()  # type: ignore[arg-type]
    assert answer["length"] == len(sent.request.body) and content in sent.request.body  # type: ignore[arg-type,operator]
    assert answer["resource"] == "/v1.0/admin/connector/job/bulkimport"

    # JSON (the pre-signed path's {jobId, uploadId}) is not a binary media type: it arrives as text.
    started = requests.post(url, json={"jobId": "J1", "uploadId": "U1"}, timeout=30)
    assert started.json()["isBase64Encoded"] is False
    assert started.json()["sha256"] == hashlib.sha256(started.request.body).hexdigest()  # type: ignore[arg-type]


@pytest.fixture
def cscore_s3(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """cscore's own S3 client, configured as the stack configures the functions."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", stack.info["awsEndpointUrl"])
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    aws.s3.cache_clear()
    yield aws.s3()
    aws.s3.cache_clear()


def test_a_presigned_put_url_takes_an_upload_and_a_presigned_get_returns_it(
    stack: LocalStack, bucket: str, cscore_s3: Any
) -> None:
    key = f"uploads/{uuid.uuid4().hex}.csv"
    content = b"Company Name,Email ID,Deleted\r\nAcme,jane@example.com,\r\n" * 1000
    put_url = cscore_s3.generate_presigned_url(
        "put_object", Params={"Bucket": bucket, "Key": key, "ContentType": "text/csv"}, ExpiresIn=900
    )
    assert put_url.startswith(f"{stack.info['awsEndpointUrl']}/{bucket}/")  # path style on the local endpoint

    uploaded = requests.put(put_url, data=content, headers={"Content-Type": "text/csv"}, timeout=30)
    assert uploaded.status_code == 200, uploaded.text
    stored = stack.client("s3").get_object(Bucket=bucket, Key=key)
    assert stored["Body"].read() == content
    assert stored["ContentType"] == "text/csv"

    get_url = cscore_s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=60)
    downloaded = requests.get(get_url, timeout=30)
    assert downloaded.status_code == 200 and downloaded.content == content
    # uploads/ is outside the notification's prefix: a pre-signed upload alone starts nothing.
    assert not [k for k in _recorded_s3_keys(stack, bucket) if k == key]


def test_presigned_urls_in_aws_are_virtual_hosted_on_the_regional_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    aws.s3.cache_clear()
    try:
        url = aws.s3().generate_presigned_url("put_object", Params={"Bucket": "cs-bulk-imports-x", "Key": "uploads/a"})
    finally:
        aws.s3.cache_clear()
    assert url.startswith("https://cs-bulk-imports-x.s3.eu-west-1.amazonaws.com/uploads/a?")
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in url


def test_the_template_names_the_bucket_alike_everywhere() -> None:
    """The bucket's name, the functions' BULK_BUCKET_NAME and the worker's S3 permission are one
    expression (a !Ref to the bucket would be a circular dependency, see template.yaml)."""
    doc = load(ROOT / "template.yaml")
    name = doc["Resources"]["BulkImportBucket"]["Properties"]["BucketName"]
    assert doc["Globals"]["Function"]["Environment"]["Variables"]["BULK_BUCKET_NAME"] == name
    statements = doc["Resources"]["BulkImportWorkerFunction"]["Properties"]["Policies"][0]["Statement"]
    resources = {s["Sid"]: s["Resource"]["Fn::Sub"] for s in statements if s["Action"][0].startswith("s3:")}
    assert resources["ReadImportsWriteErrors"][0].endswith(f":s3:::{name['Fn::Sub'][0]}/*")
    assert resources["TellMissingFiles"][0].endswith(f":s3:::{name['Fn::Sub'][0]}")
    assert all(sub[1] == name["Fn::Sub"][1] for sub in resources.values())
    # Neither cfn-lint nor `sam validate --lint` reports the cycle (CloudFormation does, at deploy
    # time): nothing the worker depends on may refer to the bucket, bar its S3 event.
    worker = dict(doc["Resources"]["BulkImportWorkerFunction"]["Properties"], Events=None)
    assert "BulkImportBucket" not in json.dumps([doc["Globals"], worker])
