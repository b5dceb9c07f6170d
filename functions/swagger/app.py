"""GET /swagger: the OpenAPI document (``?format=json``) and Swagger UI, no key needed."""

from aws_lambda_powertools.event_handler import Response

from cscore.api import openapi_document
from cscore.api.resolver import build_resolver, lambda_entry

app = build_resolver(family=None, auth="none")


@app.get("/swagger")
def swagger() -> Response[str]:
    if app.current_event.get_query_string_value("format") == "json":
        return Response(200, "application/json", openapi_document.text())
    return Response(200, "text/html", openapi_document.swagger_ui("?format=json"))


handler = lambda_entry(app)
