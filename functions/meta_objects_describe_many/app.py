"""POST /v1/meta/services/objects/describe: the fields of the objects a body names
({"objectNames": [...]}), custom fields included."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.meta import describe
from cscore.meta.models import DescribeObjects

app = build_resolver(family="standard")


@app.post("/v1/meta/services/objects/describe")
def describe_objects(body: DescribeObjects) -> list[dict[str, Any]]:
    return describe.describe(app.principal, body.objectNames)


handler = lambda_entry(app)
