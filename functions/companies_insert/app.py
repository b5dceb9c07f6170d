"""POST /v1/data/objects/Company: insert 1 to 50 companies (Gainsight's Company data API)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.companies import service
from cscore.companies.models import CompanyRecords

app = build_resolver(family="standard")


@app.post("/v1/data/objects/Company")
def insert_companies(body: CompanyRecords) -> dict[str, Any]:
    return service.insert_companies(app.principal, body.records)


handler = lambda_entry(app)
