"""The request shape of ``PUT /v1/permissions/company`` (SPEC §4.3). The fields a where
clause names are checked against the tenant's schemas by ``rules.validate``."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from cscore.platform.request_model import RequestModel

MAX_RULES = 50


class Where(RequestModel):
    conditions: list[dict[str, Any]] = []
    expression: Annotated[str, Field(pattern=r"\S")] | None = None


class Rule(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    user: Where
    company: Where


class CompanySettings(RequestModel):
    """What is not given takes its default (a PUT replaces the settings)."""

    public: bool = False
    teamBased: bool = True
    rules: Annotated[list[Rule], Field(max_length=MAX_RULES)] = []
