"""GET /swagger: the OpenAPI document (``?format=json``), Swagger UI and its assets
(``?asset=...``), no key needed."""

from aws_lambda_powertools.event_handler import Response

from cscore.api import openapi_document
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.errors import NotFound
from cscore.platform import html

app = build_resolver(family=None, auth="none")
ASSET_CACHE = {"Cache-Control": "public, max-age=86400"}


@app.get("/swagger")
def swagger() -> Response[str]:
    if app.current_event.get_query_string_value("format") == "json":
        return Response(200, "application/json", openapi_document.text())
    asset_name = app.current_event.get_query_string_value("asset")
    if asset_name is not None:
        asset = openapi_document.swagger_asset(asset_name)
        if asset is None:
            raise NotFound(f"asset: no Swagger UI asset {asset_name!r}")
        content_type, body = asset
        return Response(200, content_type, body, ASSET_CACHE)
    page_headers = {"Content-Security-Policy": openapi_document.SWAGGER_UI_POLICY}
    return Response(200, html.HTML, openapi_document.swagger_ui(), page_headers)


handler = lambda_entry(app)
