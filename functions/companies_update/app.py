"""PUT /v1/data/objects/Company?keys=F1[,F2,F3]: update the companies each record's keys match."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.companies import service
from cscore.companies.models import CompanyRecords

app = build_resolver(family="standard")


@app.put("/v1/data/objects/Company")
def update_companies(body: CompanyRecords, keys: Annotated[str | None, Query()] = None) -> dict[str, Any]:
    return service.update_companies(app.principal, body.records, keys)


handler = lambda_entry(app)
