"""Domain errors. Each carries the HTTP status and stable error code of SPEC §1.2; the API
layer maps every one of them to the response envelope in one place."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    status: int = 500
    code: str = "GU_1101"
    desc: str = "Oops! Something went wrong."

    def __init__(
        self,
        desc: str | None = None,
        *,
        code: str | None = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.desc = desc or type(self).desc
        self.code = code or type(self).code
        self.data = data
        self.headers = headers or {}
        super().__init__(self.desc)


class BadRequest(ApiError):
    status, code, desc = 400, "GS_1400", "Bad request"


class Unauthorized(ApiError):
    status, code, desc = 401, "GS_APIG_2401", "Unauthorized"


class Forbidden(ApiError):
    status, code, desc = 403, "GS_1403", "You are not allowed to perform this action"


class NotFound(ApiError):
    status, code, desc = 404, "GS_1404", "Resource not found"


class Conflict(ApiError):
    status, code, desc = 409, "GS_1409", "Conflict with the current state"


class PayloadTooLarge(ApiError):
    status, code, desc = 413, "GS_1413", "Request body too large"


class UnsupportedMediaType(ApiError):
    status, code, desc = 415, "GS_1415", "Unsupported content type"


class TooManyRequests(ApiError):
    status, code, desc = 429, "GU_2400", "Too many requests"


class InternalError(ApiError):
    """Unexpected failure; its message never reaches a client."""


class QueryTooBroad(BadRequest):
    """A query or list whose access path would read more records than fit the function's
    time (``objects.candidates.MAX_READ``): 400 naming what the object's indexes serve."""

    status, code, desc = 400, "GSOBJ_1013", "The query would read too many records"
