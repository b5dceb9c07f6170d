"""GET / PUT /v1/permissions/company: the tenant's company data permission settings."""

from __future__ import annotations

from typing import Any

from cscore.auth.principal import Principal
from cscore.permissions import access, repository, rules
from cscore.permissions.models import CompanySettings


def get_settings(principal: Principal) -> dict[str, Any]:
    return rules.settings_of(principal.tenant)


def put_settings(principal: Principal, settings: CompanySettings) -> dict[str, Any]:
    clean = rules.validate(settings, *access.schemas())
    repository.put_company_settings(principal.tenant_id, clean)
    return clean
