"""POST /v1/data/objects/query/{Object}: read Company, Person, CompanyPerson or CompanyTeam
records with the query language."""

from typing import Any

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.objects import query

app = build_resolver(family="standard")


@app.post("/v1/data/objects/query/<object_name>")
def query_objects(object_name: str) -> dict[str, Any]:
    return query.query_objects(app.principal, object_name, request.json_body(app.current_event.raw_event))


handler = lambda_entry(app)
