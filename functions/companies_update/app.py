"""PUT /v1/data/objects/Company?keys=F1[,F2,F3]: update the companies each record's keys match."""

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.companies import service

app = build_resolver(family="standard")


@app.put("/v1/data/objects/Company")
def update_companies() -> dict:
    event = app.current_event.raw_event
    return service.update_companies(app.principal, request.bulk_body(event).get("records"), request.flag(event, "keys"))


handler = lambda_entry(app)
