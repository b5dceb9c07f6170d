"""Request bodies of the Company data API (validated by the resolver; OpenAPI comes from them)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cscore.companies.schema import MAX_RECORDS


class CompanyRecords(BaseModel):
    """``{"records": [...]}`` of an insert or update: 1 to 50 Company records. Each record's
    fields are checked one by one by the service, so one bad record fails alone."""

    model_config = ConfigDict(extra="forbid")

    records: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_RECORDS)
