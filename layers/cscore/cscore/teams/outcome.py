"""The answer of the team write endpoints, shaped like the Company data API's:
``data = {"count", "errors", "records"}``, one error per failed input record
(``{"index", "record" (as sent), "errorCode", "errorMessage"}``, null when none).

HTTP 200 when at least one record was written (or confirmed). When none was: the
status of the records' common error code (every record refused as owned by the
Salesforce sync: 409 ``GS_1409``; every record not allowed: 403 ``GS_1403``; every key
unknown: 404 ``GS_1404``), else 400 (``GS_1400``, or the first record's own 400 code),
``data`` as above.
"""

from __future__ import annotations

from typing import Any

from cscore.errors import ApiError, BadRequest, Conflict, Forbidden, NotFound

BAD, FORBIDDEN, MISSING, CONFLICT = "GS_1400", "GS_1403", "GS_1404", "GS_1409"
_BY_CODE: dict[str, type[ApiError]] = {FORBIDDEN: Forbidden, MISSING: NotFound, CONFLICT: Conflict}


class Outcome:
    """What became of each input record of one request."""

    def __init__(self, records: list[Any]) -> None:
        self.records = records
        self.errors: dict[int, tuple[str, str]] = {}
        self.written: dict[int, dict[str, Any]] = {}

    def fail(self, index: int, code: str, message: str) -> None:
        self.errors.setdefault(index, (code, message))

    def failed(self, index: int) -> bool:
        return index in self.errors

    def done(self, index: int, shown: dict[str, Any]) -> None:
        self.written[index] = shown

    def answer(self) -> dict[str, Any]:
        errors = [
            {"index": i, "record": self.records[i], "errorCode": code, "errorMessage": message}
            for i, (code, message) in sorted(self.errors.items())
        ]
        data = {
            "count": len(self.written),
            "errors": errors or None,
            "records": [self.written[i] for i in sorted(self.written)],
        }
        if self.written:
            return data
        codes = {e["errorCode"] for e in errors}
        first = errors[0] if errors else {"errorCode": BAD, "errorMessage": "nothing was written"}
        kind = _BY_CODE.get(first["errorCode"])
        if kind is not None and len(codes) == 1:
            raise kind(first["errorMessage"], data=data)
        code = BAD if kind is not None else first["errorCode"]  # mixed reasons: a 400 keeps a 400 code
        raise BadRequest(first["errorMessage"], code=code, data=data)
