"""The tenant's permission settings and rule matching (pure, apart from reading the
schemas): ``{public, teamBased, rules: [{name, user: where, company: where}]}``, where a
company condition's value may be ``{"userField": "Region__gc"}`` — the user's own value."""

from __future__ import annotations

from typing import Any

from cscore.errors import BadRequest
from cscore.permissions.models import CompanySettings
from cscore.query import QueryError, matches, parse_query
from cscore.query.model import Schema, Where

DEFAULT = CompanySettings().model_dump()


def settings_of(tenant_item: dict[str, Any]) -> dict[str, Any]:
    stored = tenant_item.get("companyPermissions") or {}
    return {**DEFAULT, **{k: stored[k] for k in DEFAULT if k in stored}}


def _where(raw: dict[str, Any], schema: Schema, field: str) -> dict[str, Any]:
    try:
        parse_query({"where": raw, "select": ["Gsid"]}, schema)
    except QueryError as exc:
        raise BadRequest(f"{field}: {exc.desc}") from None
    return raw


def _without_user_fields(where: dict[str, Any], user_schema: Schema, field: str) -> dict[str, Any]:
    """The company clause with every ``{"userField": F}`` checked and replaced by a placeholder."""
    conditions = []
    for i, condition in enumerate(where.get("conditions") or []):
        values = condition.get("value") if isinstance(condition, dict) else None
        if isinstance(values, list):
            replaced = []
            for value in values:
                if isinstance(value, dict) and set(value) == {"userField"}:
                    if user_schema.get(str(value["userField"])) is None:
                        raise BadRequest(f"{field}.conditions[{i}].value: unknown user field {value['userField']}")
                    replaced.append("placeholder")
                else:
                    replaced.append(value)
            condition = {**condition, "value": replaced}
        conditions.append(condition)
    return {**where, "conditions": conditions}


def validate(settings: CompanySettings, user_schema: Schema, company_schema: Schema) -> dict[str, Any]:
    """The settings to store, once every rule's clauses name fields of their schemas."""
    clean = []
    for i, rule in enumerate(settings.rules):
        where = f"rules[{i}]"
        user = rule.user.model_dump(exclude_none=True)
        company = rule.company.model_dump(exclude_none=True)
        _where(user, user_schema, f"{where}.user")
        _where(_without_user_fields(company, user_schema, f"{where}.company"), company_schema, f"{where}.company")
        clean.append({"name": rule.name, "user": user, "company": company})
    return {"public": settings.public, "teamBased": settings.teamBased, "rules": clean}


def _bound(where: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    """The company clause with the user's own values in place of ``userField`` references."""
    conditions = []
    for condition in where.get("conditions") or []:
        values = []
        for value in condition.get("value") or []:
            if isinstance(value, dict) and "userField" in value:
                own = user.get(value["userField"])
                values.append(own if own is not None else {"unmatched": True})
            else:
                values.append(value)
        conditions.append({**condition, "value": values})
    return {**where, "conditions": conditions}


def user_rules(settings: dict[str, Any], user: dict[str, Any], user_schema: Schema) -> list[dict[str, Any]]:
    """The rules whose user clause the user satisfies."""
    return [r for r in settings["rules"] if matches(_parsed(r["user"], user_schema), user)]


def rule_matches(rule: dict[str, Any], user: dict[str, Any], company: dict[str, Any], company_schema: Schema) -> bool:
    where = _bound(rule["company"], user)
    if any(isinstance(v, dict) for c in where["conditions"] for v in c["value"]):
        return False  # the user has no value for a field the rule compares with
    return matches(_parsed(where, company_schema), company)


def _parsed(where: dict[str, Any], schema: Schema) -> Where | None:
    return parse_query({"where": where, "select": ["Gsid"]}, schema).where
