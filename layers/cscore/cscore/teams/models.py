"""The request shapes of Team management (SPEC §4): search and roles."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from cscore.platform.request_model import RequestModel

MAX_TEXT = 255
MAX_LABEL = 100


class Search(RequestModel):
    type: Literal["company", "user"]
    text: Annotated[str, Field(min_length=1, max_length=MAX_TEXT, pattern=r"\S")]
    fields: list[str] = []


class CreateRole(RequestModel):
    label: Annotated[str, Field(min_length=1, max_length=MAX_LABEL, pattern=r"\S")]
