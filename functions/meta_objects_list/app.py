"""GET /v1/meta/services/objects/list: the tenant's objects by Gainsight's API names
(query parameters such as po and em are accepted and ignored)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.meta import describe

app = build_resolver(family="standard")


@app.get("/v1/meta/services/objects/list")
def list_objects() -> list[dict[str, Any]]:
    return describe.list_objects()


handler = lambda_entry(app)
