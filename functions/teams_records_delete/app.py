"""POST /v1/teams/records/delete: delete Company Team records by CompanyId + UserId (SPEC §4.1)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.teams import records
from cscore.teams.models import RecordKeys

app = build_resolver(family="users", access="any")


@app.post("/v1/teams/records/delete")
def delete_records(body: RecordKeys) -> dict[str, Any]:
    return records.delete_records(app.principal, body)


handler = lambda_entry(app)
