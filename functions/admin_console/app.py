"""GET /admin/: the admin console's page (SPEC §9), no key needed (the page asks for one
and keeps it in the tab). Its files are ``admin_console_assets``."""

from aws_lambda_powertools.event_handler import Response

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.console import site

app = build_resolver(family=None, auth="none")


@app.get("/admin")
def console_page() -> Response[str]:
    if not app.current_event.path.endswith("/"):
        # The page loads its files by relative URL, which only resolve under ".../admin/".
        return Response(301, site.HTML, "", {"Location": "admin/", "Cache-Control": "no-cache"})
    return Response(200, site.HTML, site.page(), site.page_headers())


handler = lambda_entry(app)
