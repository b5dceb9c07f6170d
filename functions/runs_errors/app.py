"""GET /v1/connectors/runs/{runId}/errors: the run's rejected and errored rows as CSV."""

from aws_lambda_powertools.event_handler import Response

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.sync import runs

app = build_resolver(family="standard", access="super_admin")


@app.get("/v1/connectors/runs/<run_id>/errors")
def run_errors(run_id: str) -> Response[str]:
    body = runs.errors_csv(app.principal, run_id)
    headers = {"Content-Disposition": f'attachment; filename="run-{run_id}-errors.csv"'}
    return Response(200, "text/csv; charset=utf-8", body, headers)


handler = lambda_entry(app)
