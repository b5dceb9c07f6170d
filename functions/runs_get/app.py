"""GET /v1/connectors/runs/{runId}: one run with its counts (SPEC §3.3 run view)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.sync import runs

app = build_resolver(family="standard", access="super_admin")


@app.get("/v1/connectors/runs/<run_id>")
def get_run(run_id: str) -> dict[str, Any]:
    return runs.get_run(app.principal, run_id)


handler = lambda_entry(app)
