"""The one mapping of an error to the envelope answer, for every API function.

Domain errors keep their status, code and message. Anything else (and an explicit
``InternalError``) is a 500 ``GU_1101`` whose message stays in the logs: it is counted
in the ``UnhandledErrors`` metric the GU_1101 alarm watches, and the caller sees only
the generic text. The localized fields are in the language the request prefers
(``languages``).
"""

from __future__ import annotations

from typing import Any

from cscore.api import envelope, languages
from cscore.errors import ApiError, InternalError
from cscore.platform.observability import logger, metrics
from cscore.scim import errors as scim_errors


def failure_response(
    error: BaseException, request_id: str, language: str = languages.DEFAULT, shape: str = "envelope"
) -> dict[str, Any]:
    """The API Gateway proxy result answering ``error``, in the endpoint's ``shape``
    (the envelope, or SCIM's Error message)."""
    if not isinstance(error, ApiError) or isinstance(error, InternalError):
        logger.error("unhandled error", exc_info=error)
        metrics.add_metric(name="UnhandledErrors", unit="Count", value=1)
        error = InternalError()
    if shape == "scim":
        headers = {"Content-Type": scim_errors.MEDIA_TYPE, **error.headers}
        return envelope.proxy_response(error.status, scim_errors.body(error), headers)
    return envelope.proxy_response(error.status, envelope.failure(error, request_id, language), error.headers)
