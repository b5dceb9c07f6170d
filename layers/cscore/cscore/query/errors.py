"""Errors of the query language. All are 400 ``GS_1400`` by default; callers whose API
keeps its own codes (users ``GU_1705``, objects ``GSOBJ_1002``/``GSOBJ_1005``) catch the
specific class, or pass the code, instead of the engine knowing which API it serves."""

from __future__ import annotations

from collections.abc import Sequence

from cscore.errors import BadRequest


class QueryError(BadRequest):
    """A request that is not a valid query; the message names the problem."""


class UnknownField(QueryError):
    """A condition or orderBy names a field the object does not have."""

    def __init__(self, desc: str, *, field: str, code: str | None = None) -> None:
        super().__init__(desc, code=code)
        self.field = field


class InvalidValue(QueryError):
    """A condition value does not fit its field's type (e.g. a date that is no date)."""

    def __init__(self, desc: str, *, field: str, code: str | None = None) -> None:
        super().__init__(desc, code=code)
        self.field = field


class UnknownSelectFields(QueryError):
    """``select`` names fields the object does not have. The users API answers it as
    ``GU_1705``, the objects API as ``GSOBJ_1002``: the caller chooses the code."""

    desc = "Invalid select fields"

    def __init__(self, fields: Sequence[str], *, code: str | None = None) -> None:
        super().__init__(f"Invalid select fields: {', '.join(fields)}", code=code)
        self.fields = list(fields)
