"""PUT /v1/teams/records: update custom fields of Company Team records (SPEC §4.1)."""

from typing import Any

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.teams import records

app = build_resolver(family="users", access="any")


@app.put("/v1/teams/records")
def update_records() -> dict[str, Any]:
    return records.update_records(app.principal, request.json_body(app.current_event.raw_event))


handler = lambda_entry(app)
