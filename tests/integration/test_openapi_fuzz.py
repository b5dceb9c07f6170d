"""Every operation of the committed OpenAPI document, fuzzed over HTTP against the local
stack with a real key: schema-valid and schema-invalid requests (schemathesis), checked
for no server error and for answers that match their documented schemas.

Reproducible and bounded: derandomized, a few examples per operation, one tenant of its
own (the fuzz deletes and revokes) with limits high enough not to be rate limited.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.config import SchemathesisConfig

from tests.integration.stack import LocalStack

pytestmark = pytest.mark.integration
DOCUMENT = Path(__file__).resolve().parents[2] / "layers" / "cscore" / "cscore" / "api" / "openapi.json"
EXAMPLES_PER_OPERATION = 6
LIMITS = {"users": ("hour", "day"), "standard": ("minute", "day"), "bulk": ("hour", "day")}


@pytest.fixture(scope="module")
def fuzz_key(stack: LocalStack) -> str:
    tenant = stack.csadmin("tenant", "create", "--name", "Fuzz")
    for family, windows in LIMITS.items():
        for window in windows:
            stack.set_limit(tenant["tenantId"], family, window, 1_000_000)
    return str(tenant["accessKey"])


# The methods API Gateway's REST APIs take (TRACE and QUERY never reach a function).
CONFIG = SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"unexpected-methods": ["get", "put", "post", "delete", "patch", "options"]}}}
)
schema = schemathesis.openapi.from_dict(json.loads(DOCUMENT.read_text()), config=CONFIG)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_without_server_errors_and_as_documented(
    case: schemathesis.Case, stack: LocalStack, fuzz_key: str
) -> None:
    case.call_and_validate(
        base_url=stack.api,
        headers={"accesskey": fuzz_key},
        checks=[not_a_server_error, response_schema_conformance],
        timeout=60,
    )
