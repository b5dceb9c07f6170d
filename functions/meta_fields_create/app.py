"""POST /v1/meta/objects/{Object}/fields: add a custom field ({name, type, label?,
picklistValues?}, name ending in __gc) to an object."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.meta import service
from cscore.meta.models import FieldDefinition

app = build_resolver(family="standard", access="super_admin")


@app.post("/v1/meta/objects/<object_name>/fields")
def add_field(object_name: str, body: FieldDefinition) -> dict[str, Any]:
    return service.add_field(app.principal, object_name, body)


handler = lambda_entry(app)
