"""The request shape of Gainsight's Company data API (insert and update). A record's own
fields are Company's, checked per record (one bad record does not refuse the others);
how many records a request may hold is the service's (``at most 50``)."""

from __future__ import annotations

from typing import Any

from cscore.platform.request_model import RequestModel


class CompanyRecords(RequestModel):
    records: list[Any]
