"""GET /v1/meta/objects/{Object}/fields: an object's standard and custom fields."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.meta import service

app = build_resolver(family="standard", access="super_admin")


@app.get("/v1/meta/objects/<object_name>/fields")
def list_fields(object_name: str) -> dict[str, Any]:
    return service.list_fields(app.principal, object_name)


handler = lambda_entry(app)
