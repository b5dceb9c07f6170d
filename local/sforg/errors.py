"""Salesforce's error shape: a JSON array of {message, errorCode} with an HTTP status."""

from __future__ import annotations


class SfError(Exception):
    """An error answered as Salesforce answers it: [{"message": ..., "errorCode": ...}]."""

    def __init__(self, status: int, code: str, message: str, fields: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields

    def body(self) -> list[dict[str, object]]:
        entry: dict[str, object] = {"message": self.message, "errorCode": self.code}
        if self.fields is not None:
            entry["fields"] = self.fields
        return [entry]


def not_found() -> SfError:
    """The answer for any path or record that does not exist."""
    return SfError(404, "NOT_FOUND", "The requested resource does not exist")
