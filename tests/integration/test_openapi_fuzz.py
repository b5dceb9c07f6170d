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
from schemathesis.checks import not_a_server_error, positive_data_acceptance, response_schema_conformance
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


# Schema-valid requests are accepted (positive_data_acceptance: 2xx, or 401/403/404/409/429
# for a caller, id or state the product rightly refuses), except where validity depends on
# what no schema can know; those operations may also answer 400, for the reason given.
REFUSED_BY_DATA = {
    "names a field, object or key of the tenant's own catalog (custom fields included)": [
        "POST /v1/users/services/list",
        "POST /v1/teams/records/list",
        "POST /v1/teams/search",
        "PUT /v1/teams/records",
        "POST /v1.0/admin/connector/job/bulk",
        "POST /v1/connectors/jobs",
        "PUT /v1/permissions/company",
        "PUT /v1/data/objects/Company",
        "PUT /v1/data/objects/{object_name}",
        "PUT /v1/peoplemgmt/v1.0/people",
        "PUT /v1.0/api/people",
    ],
    "records are checked one by one, each failing alone with its own code (SPEC §2.1, §4b, §4.4)": [
        "POST /v1/users/services",
        "PUT /v1/users/services",
        "POST /v1/data/objects/Company",
        "POST /v1/data/objects/{object_name}",
        "POST /v1/teams/companies/{company_id}/members",
        "POST /v1/teams/users/{user_id}/companies",
        "POST /v1/teams/records/delete",
    ],
    "a GSID of the wrong kind keeps the contract's code (GSOBJ_1004), not a schema's": [
        "DELETE /v1/data/objects/Company/{gsid}",
    ],
    "text with a lone surrogate or NUL is not storable (the door's rule, no JSON Schema for it)": [
        "PUT /v1/users/services/status",
        "PUT /v1/connectors/jobs/{job_id}",
    ],
    "the single-use state and code are Salesforce's and the product's to issue": [
        "GET /v1/connectors/salesforce/oauth/callback",
    ],
    "a SCIM body is described by SCIM's /Schemas (RFC 7643), not here: a missing or wrong one is 400": [
        f"{method} {base}/{resource}{suffix}"
        for base in ("/scim/v2", "/v1/users/services/scim")
        for resource, suffix_id in (("Users", "/{user_id}"), ("Groups", "/{group_id}"))
        for method, suffix in (("POST", ""), ("PUT", suffix_id), ("PATCH", suffix_id))
    ],
    "a multipart upload or a JSON start: the body is read by the import, not described": [
        "POST /v1.0/admin/connector/job/bulkimport",
    ],
}
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
# The methods API Gateway's REST APIs take (TRACE and QUERY never reach a function).
CONFIG = SchemathesisConfig.from_dict(
    {
        "phases": {"coverage": {"unexpected-methods": ["get", "put", "post", "delete", "patch", "options"]}},
        "operations": [
            {
                "include-name": name,
                "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}},
            }
            for names in REFUSED_BY_DATA.values()
            for name in names
        ],
    }
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
        checks=[not_a_server_error, positive_data_acceptance, response_schema_conformance],
        timeout=60,
    )
