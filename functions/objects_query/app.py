"""POST /v1/data/objects/query/{Object}: read Company, Person, CompanyPerson, CompanyTeam or
User records with the query language, by these names or Gainsight's (``company_person``,
``gsuser``), in any case."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.objects import query
from cscore.objects.models import ObjectQuery

app = build_resolver(family="standard")


@app.post("/v1/data/objects/query/<object_name>")
def query_objects(object_name: str, body: ObjectQuery) -> dict[str, Any]:
    return query.query_objects(app.principal, object_name, body)


handler = lambda_entry(app)
