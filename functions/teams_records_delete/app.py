"""POST /v1/teams/records/delete: delete Company Team records by CompanyId + UserId (SPEC §4.1)."""

from typing import Any

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.teams import records

app = build_resolver(family="users", access="any")


@app.post("/v1/teams/records/delete")
def delete_records() -> dict[str, Any]:
    return records.delete_records(app.principal, request.json_body(app.current_event.raw_event))


handler = lambda_entry(app)
