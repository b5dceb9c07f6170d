"""A users create killed by its timeout, over HTTP against the local stack (issue 13,
point 7): the Idempotency-Key is free again once the invocation would have ended, and the
bundles and welcome e-mails of the users it created still arrive, once.

The product template runs as it is, except that the create function gets a 4 s timeout
and an SQS endpoint that accepts connections and never answers (so the invocation dies
in its publish, after its transaction, exactly where the work used to be lost), and the
outbox sweep runs every minute for items of any age. (The local stack gives every
function the settings of all, so the worker is told the real SQS endpoint explicitly.)
"""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from cslocal.mail import sent_mail
from cslocal.template import load
from tests.integration.stack import ROOT, LocalStack, start_stack

pytestmark = pytest.mark.integration

CREATE_TIMEOUT_SECONDS = 4


@pytest.fixture(scope="module")
def silent_sqs() -> Iterator[str]:
    """An endpoint whose connections are accepted (by the kernel's backlog) and never answered."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, silent_sqs: str) -> Iterator[LocalStack]:
    work = tmp_path_factory.mktemp("users-timeouts")
    doc = load(ROOT / "template.yaml")
    create = doc["Resources"]["UsersCreateFunction"]["Properties"]
    create["Timeout"] = CREATE_TIMEOUT_SECONDS
    create["Environment"] = {"Variables": {"AWS_ENDPOINT_URL_SQS": silent_sqs}}
    aws_port = _free_port()
    worker = doc["Resources"]["UsersWorkerFunction"]["Properties"]
    worker["Environment"] = {"Variables": {"AWS_ENDPOINT_URL_SQS": f"http://127.0.0.1:{aws_port}"}}
    sweep = worker["Events"]["SweepOutbox"]["Properties"]
    sweep["ScheduleExpression"] = "cron(* * * * ? *)"
    sweep["Input"] = json.dumps({"sweepOutbox": {"olderThanSeconds": 0}})
    template = work / "template.json"  # JSON is YAML; the intrinsic functions stay in their long form
    template.write_text(json.dumps(doc))
    state_dir = work / "state"
    state_dir.mkdir()
    running = start_stack(
        state_dir,
        "--no-persist",
        "--template",
        str(template),
        "--aws-port",
        str(aws_port),
        "--schedule-poll-seconds",
        "1",
    )
    yield running
    assert running.stop() == 0


def _create(stack: LocalStack, key: str, records: list[dict[str, Any]], idempotency_key: str) -> requests.Response:
    return requests.post(
        f"{stack.api}/v1/users/services",
        params={"notify": "true"},
        headers={"accesskey": key, "Idempotency-Key": idempotency_key},
        json={"records": records},
        timeout=60,
    )


def _bundles(stack: LocalStack, key: str, names: list[str]) -> dict[str, list[str]]:
    body = {
        "select": ["SFDCUserName", "permissionBundles"],
        "where": {"conditions": [{"name": "SFDCUserName", "operator": "IN", "value": names}]},
    }
    answer = requests.post(f"{stack.api}/v1/users/services/list", headers={"accesskey": key}, json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    return {u["SFDCUserName"]: u.get("permissionBundles") or [] for u in answer.json()["data"]["users"]}


def _mail_to(stack: LocalStack, addresses: list[str]) -> list[str]:
    return sorted(to for m in sent_mail(stack.info["awsEndpointUrl"]) for to in m["to"] if to in addresses)


def test_a_create_killed_after_its_transaction_frees_its_key_and_loses_no_follow_up_work(stack: LocalStack) -> None:
    tenant = stack.csadmin("tenant", "create", "--name", "Timeouts")
    key = tenant["accessKey"]
    for window in ("hour", "day"):  # the test polls the users list while it waits
        stack.set_limit(tenant["tenantId"], "users", window, 100_000)
    tag = uuid.uuid4().hex[:8]
    names = [f"{tag}-{i}@x.io" for i in range(2)]
    records = [{"Name": f"Person {i}", "Email": name, "SFDCUserName": name} for i, name in enumerate(names)]

    started = time.monotonic()
    killed = _create(stack, key, records, f"K-{tag}")
    assert killed.status_code == 502, killed.text  # the invocation died (timed out) in its publish
    assert time.monotonic() - started >= CREATE_TIMEOUT_SECONDS - 0.5
    assert set(_bundles(stack, key, names)) == set(names)  # its transaction had committed

    # Retried once the first invocation would have ended: processed, not "still running".
    time.sleep(1.0)
    retried = _create(stack, key, records, f"K-{tag}")
    assert retried.status_code == 400, retried.text
    assert retried.json()["errorCode"] == "GU_2401"
    assert [e["errorCode"] for e in retried.json()["data"]["errors"]] == ["GS_1409", "GS_1409"]

    # The sweep queues what the dead invocation never published: bundles, and one e-mail each.
    def delivered() -> bool:
        return (
            _bundles(stack, key, names) == {n: ["DEFAULT_BUNDLE"] for n in names} and len(_mail_to(stack, names)) == 2
        )

    stack.wait_for("the left-behind bundles and e-mails", delivered, timeout=150)
    assert _mail_to(stack, names) == names

    # Nothing is left for a later sweep to send again.
    dynamodb = stack.client("dynamodb")
    left = dynamodb.query(
        TableName=stack.info["tables"]["TenantTable"],
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :p",
        ExpressionAttributeValues={":p": {"S": "OUTBOX"}},
    )["Items"]
    assert [i for i in left if i["tenantId"]["S"] == tenant["tenantId"]] == []
