"""SCIM's error answer (RFC 7644 §3.12): ``{"schemas": [Error], "status", "scimType",
"detail"}``. Every error of a SCIM endpoint, the product's own included (401, 403, 429,
the request door's 400 and 415), is answered in this shape."""

from __future__ import annotations

from typing import Any

from cscore.errors import ApiError

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
MEDIA_TYPE = "application/scim+json"

# The scimType a product error of a status gets when it names none (RFC 7644 Table 9).
_DEFAULT_TYPES = {400: "invalidValue", 409: "uniqueness"}


class ScimError(ApiError):
    """An error with SCIM's ``scimType`` (invalidFilter, invalidValue, mutability,
    uniqueness, invalidPath, noTarget, invalidSyntax, tooMany)."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail, code=_CODES.get(status, "GS_1400"))
        self.status = status
        self.scim_type = scim_type


# The product's error codes of the same statuses, for logs and metrics.
_CODES = {400: "GS_1400", 404: "GS_1404", 409: "GS_1409", 412: "GS_1409"}


def invalid_filter(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidFilter")


def invalid_value(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidValue")


def invalid_path(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidPath")


def no_target(detail: str) -> ScimError:
    return ScimError(400, detail, "noTarget")


def mutability(detail: str) -> ScimError:
    return ScimError(400, detail, "mutability")


def uniqueness(detail: str) -> ScimError:
    return ScimError(409, detail, "uniqueness")


def not_found(what: str) -> ScimError:
    return ScimError(404, f"Resource {what} not found")


def precondition_failed() -> ScimError:
    return ScimError(412, "The resource changed: its version does not match If-Match")


def body(error: ApiError) -> dict[str, Any]:
    """The SCIM error answer of any product error."""
    scim_type = error.scim_type if isinstance(error, ScimError) else _DEFAULT_TYPES.get(error.status)
    if error.code == "GSOBJ_1013":
        scim_type = "tooMany"
    answer: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(error.status), "detail": error.desc}
    if scim_type and error.status in (400, 409):
        answer["scimType"] = scim_type
    return answer
