"""GET /v1/connectors/salesforce/oauth/callback: Salesforce redirects the admin's browser
here. No access key: the single-use state names the tenant and the connection. Answers
a small HTML page saying what happened."""

from aws_lambda_powertools.event_handler import Response

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.connector import connections, pages
from cscore.errors import ApiError
from cscore.platform.html import HTML

app = build_resolver(family=None, auth="none")
HEADERS = {"Cache-Control": "no-store", "Content-Security-Policy": pages.CONTENT_SECURITY_POLICY}


@app.get("/v1/connectors/salesforce/oauth/callback")
def callback() -> Response[str]:
    params = app.current_event.query_string_parameters or {}
    try:
        connection = connections.complete_authorization(dict(params))
    except ApiError as error:
        return Response(error.status, HTML, pages.failed(error.code, error.desc), HEADERS)
    return Response(200, HTML, pages.authorized(connection), HEADERS)


handler = lambda_entry(app)
