"""POST /v1/teams/records/list: Company Team records with the query language (SPEC §1.5, §4.1)."""

from typing import Any

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.teams import records

app = build_resolver(family="users", access="any")


@app.post("/v1/teams/records/list")
def list_records() -> dict[str, Any]:
    return records.list_records(app.principal, request.json_body(app.current_event.raw_event))


handler = lambda_entry(app)
