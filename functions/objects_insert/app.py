"""POST /v1/data/objects/{objectName}: insert 1 to 50 Person or CompanyPerson records
(Company's contract; Company named in another case is served as Company)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.people import service
from cscore.people.models import ObjectRecords

app = build_resolver(family="standard")


@app.post("/v1/data/objects/<object_name>")
def insert_records(object_name: str, body: ObjectRecords) -> dict[str, Any]:
    return service.insert_records(app.principal, object_name, body.records)


handler = lambda_entry(app)
