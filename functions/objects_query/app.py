"""POST /v1/data/objects/query/{Object}: read Company, Person, CompanyPerson or CompanyTeam
records with the query language."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.objects import query
from cscore.objects.models import ObjectQuery

app = build_resolver(family="standard")


@app.post("/v1/data/objects/query/<object_name>")
def query_objects(object_name: str, body: ObjectQuery) -> dict[str, Any]:
    return query.query_objects(app.principal, object_name, body)


handler = lambda_entry(app)
