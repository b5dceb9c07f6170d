"""GET /admin/{asset}: one file of the admin console (scripts, styles, icons), cached for
good when the URL names the current release (``?v=``), no key needed."""

from aws_lambda_powertools.event_handler import Response

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.console import site
from cscore.errors import NotFound

app = build_resolver(family=None, auth="none")


@app.get("/admin/<asset>")
def console_asset(asset: str) -> Response[str]:
    found = site.asset(asset, app.current_event.get_query_string_value("v"))
    if found is None:
        raise NotFound(f"asset: the console has no file {asset!r}")
    return Response(200, found.content_type, found.body, {"Cache-Control": found.cache_control})


handler = lambda_entry(app)
