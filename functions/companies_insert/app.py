"""POST /v1/data/objects/Company: insert 1 to 50 companies (Gainsight's Company data API)."""

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.companies import service

app = build_resolver(family="standard")


@app.post("/v1/data/objects/Company")
def insert_companies() -> dict:
    body = request.bulk_body(app.current_event.raw_event)
    return service.insert_companies(app.principal, body.get("records"))


handler = lambda_entry(app)
