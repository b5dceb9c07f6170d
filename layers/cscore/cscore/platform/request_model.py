"""The base of every typed API request (body or query parameters).

Strict, closed models: a field of the wrong JSON type, or a field the endpoint does not
know, is a 400 naming the field (``api.resolver.describe_validation_errors``), never a
coercion and never a 500. The same models describe the requests in the OpenAPI document.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
