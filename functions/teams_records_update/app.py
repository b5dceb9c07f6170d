"""PUT /v1/teams/records: update custom fields of Company Team records (SPEC §4.1)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.teams import records
from cscore.teams.models import RecordChanges

app = build_resolver(family="users", access="any")


@app.put("/v1/teams/records")
def update_records(body: RecordChanges) -> dict[str, Any]:
    return records.update_records(app.principal, body)


handler = lambda_entry(app)
