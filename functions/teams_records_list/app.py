"""POST /v1/teams/records/list: Company Team records with the query language (SPEC §1.5, §4.1)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.teams import records
from cscore.teams.models import RecordQuery

app = build_resolver(family="users", access="any")


@app.post("/v1/teams/records/list")
def list_records(body: RecordQuery) -> dict[str, Any]:
    return records.list_records(app.principal, body)


handler = lambda_entry(app)
