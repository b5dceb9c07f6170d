"""The request shape of ``POST /v1/data/objects/query/{Object}``: the query language of
SPEC §1.5, ``select`` required, at most 5,000 records a page."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from cscore.platform.request_model import JSON_INTEGER
from cscore.query.model import FieldName, QueryRequest

MAX_LIMIT = 5000


class ObjectQuery(QueryRequest):
    select: Annotated[list[FieldName], Field(min_length=1)]
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT), JSON_INTEGER] | None = None
