"""GET /v1/meta/services/objects/{objectName}/describe: one object's fields, custom fields
included (ic, cl, idd, ihc, piec are accepted and ignored)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.meta import describe

app = build_resolver(family="standard")


@app.get("/v1/meta/services/objects/<object_name>/describe")
def describe_object(object_name: str) -> list[dict[str, Any]]:
    return describe.describe(app.principal, [object_name])


handler = lambda_entry(app)
