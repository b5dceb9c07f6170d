"""PUT /v1/data/objects/{objectName}?keys=F1[,F2,F3]: update the Person or CompanyPerson
records each input record's keys match (Company's contract)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.people import service
from cscore.people.models import ObjectRecords

app = build_resolver(family="standard")


@app.put("/v1/data/objects/<object_name>")
def update_records(
    object_name: str, body: ObjectRecords, keys: Annotated[str | None, Query()] = None
) -> dict[str, Any]:
    return service.update_records(app.principal, object_name, body.records, keys)


handler = lambda_entry(app)
