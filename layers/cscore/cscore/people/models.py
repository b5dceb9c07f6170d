"""Request shapes of the data write API for Person and CompanyPerson and of the People API."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from cscore.platform.request_model import RequestModel

MAX_COMPANIES = 50


class ObjectRecords(RequestModel):
    """``{"records": [...]}``: each record is checked on its own (one bad record does not
    refuse the others); how many a request holds is the service's (``at most 50``)."""

    records: list[Any]


class PersonCompany(RequestModel):
    """A company the person works at: its Company Person record (Gainsight's names)."""

    Company_ID: str = Field(min_length=1)
    Title: str | None = None


class PersonUpsert(RequestModel):
    """One Person, found by ``Email``; the tenant's custom fields (``__gc``) are given
    beside the standard ones, so other names are checked by the service against them
    (a 400 naming the field when it is none)."""

    model_config = ConfigDict(extra="allow", strict=True, frozen=True)

    Email: str = Field(min_length=1, max_length=255)
    Name: str | None = None
    FirstName: str | None = None
    LastName: str | None = None
    Title: str | None = None
    Phone: str | None = None
    LinkedinUrl: str | None = None
    Location: str | None = None
    Timezone: str | None = None
    companies: list[PersonCompany] | None = Field(default=None, max_length=MAX_COMPANIES)
