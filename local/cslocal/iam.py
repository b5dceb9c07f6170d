"""IAM identity policies as IAM evaluates them, read from a function's ``Policies``.

Evaluation: an explicit ``Deny`` that matches wins; else the call is allowed only if some
``Allow`` matches its action (case-insensitive, ``*``/``?`` wildcards), its resource
(case-sensitive wildcards) and every condition. Only the condition operators below are
evaluated; a policy using another one fails when the stack starts, never silently.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from cslocal.template import Stack


class UnsupportedPolicy(Exception):
    """A policy the local stack cannot evaluate faithfully (so it refuses to start)."""


class Decision(enum.Enum):
    ALLOWED = "allowed"
    IMPLICIT_DENY = "no identity-based policy allows"
    EXPLICIT_DENY = "an explicit deny in an identity-based policy"


@dataclass(frozen=True)
class Call:
    """One authorization IAM makes for a request: an action on a resource, with the
    request's condition keys (lower-case names -> values; multi-valued keys have several)."""

    action: str
    resource: str
    aliases: tuple[str, ...] = ()  # other names of the same resource (a secret's name)
    context: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@cache
def _pattern(text: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)
    return re.compile(regex, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    return _pattern(pattern, ignore_case).fullmatch(value) is not None


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _string_equals(values: tuple[str, ...], wanted: list[str]) -> bool:
    return any(v == w for v in values for w in wanted)


def _string_like(values: tuple[str, ...], wanted: list[str]) -> bool:
    return any(matches(w, v) for v in values for w in wanted)


def _bool(values: tuple[str, ...], wanted: list[str]) -> bool:
    return any(v.lower() == w.lower() for v in values for w in wanted)


_SINGLE = {"StringEquals": _string_equals, "StringLike": _string_like, "Bool": _bool}
_FOR_ALL = {"ForAllValues:StringEquals": _string_equals, "ForAllValues:StringLike": _string_like}


def _condition_holds(operator: str, key: str, wanted: list[str], context: Mapping[str, tuple[str, ...]]) -> bool:
    values = context.get(key.lower())
    if operator in _FOR_ALL:
        # As IAM: true when the request has no value for the key (an empty set).
        return all(_FOR_ALL[operator]((v,), wanted) for v in values or ())
    return values is not None and _SINGLE[operator](values, wanted)


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditions: Mapping[str, Mapping[str, list[str]]] = field(default_factory=dict)
    sid: str = ""

    @classmethod
    def parse(cls, raw: Mapping[str, Any], where: str) -> Statement:
        unsupported = {"NotAction", "NotResource", "Principal", "NotPrincipal"} & set(raw)
        if unsupported:
            raise UnsupportedPolicy(f"{where}: {sorted(unsupported)} in an identity policy is not evaluated locally")
        effect = str(raw.get("Effect", ""))
        if effect not in ("Allow", "Deny"):
            raise UnsupportedPolicy(f"{where}: Effect must be Allow or Deny, not {effect!r}")
        conditions: dict[str, dict[str, list[str]]] = {}
        for operator, keys in (raw.get("Condition") or {}).items():
            if operator not in _SINGLE and operator not in _FOR_ALL:
                raise UnsupportedPolicy(f"{where}: condition operator {operator} is not evaluated locally")
            conditions[operator] = {str(k): _as_list(v) for k, v in keys.items()}
        return cls(
            effect=effect,
            actions=tuple(_as_list(raw.get("Action", []))),
            resources=tuple(_as_list(raw.get("Resource", []))),
            conditions=conditions,
            sid=str(raw.get("Sid", "")),
        )

    def applies_to(self, call: Call) -> bool:
        if not any(matches(a, call.action, ignore_case=True) for a in self.actions):
            return False
        names = (call.resource, *call.aliases)
        if not any(matches(r, name) for r in self.resources for name in names):
            return False
        return all(
            _condition_holds(operator, key, wanted, call.context)
            for operator, keys in self.conditions.items()
            for key, wanted in keys.items()
        )


def evaluate(statements: Sequence[Statement], call: Call) -> Decision:
    """IAM's decision for one call under identity policies only."""
    applicable = [s for s in statements if s.applies_to(call)]
    if any(s.effect == "Deny" for s in applicable):
        return Decision.EXPLICIT_DENY
    if any(s.effect == "Allow" for s in applicable):
        return Decision.ALLOWED
    return Decision.IMPLICIT_DENY


def _managed_policy(stack: Stack, policy: Any) -> Any:
    """The document of a ``!Ref`` to an ``AWS::IAM::ManagedPolicy`` of the template, else None."""
    if not (isinstance(policy, Mapping) and set(policy) == {"Ref"}):
        return None
    resource = stack.resources.get(str(policy["Ref"])) or {}
    if resource.get("Type") != "AWS::IAM::ManagedPolicy":
        return None
    return (resource.get("Properties") or {}).get("PolicyDocument")


def _documents(stack: Stack, owner: str, policies: Any) -> list[Any]:
    """The policy documents of a ``Policies`` property (SAM function or IAM role): inline ones,
    and the template's own managed policies (``!Ref``)."""
    documents = []
    for policy in policies if isinstance(policies, list) else [policies]:
        if isinstance(policy, Mapping) and "Statement" in policy:
            documents.append(policy)
        elif isinstance(policy, Mapping) and "PolicyDocument" in policy:
            documents.append(policy["PolicyDocument"])
        elif (managed := _managed_policy(stack, policy)) is not None:
            documents.append(managed)
        else:
            # An AWS managed policy, another ARN or a SAM policy template: its statements are
            # not in the template, so the local stack could only guess; it refuses to.
            name = (
                policy if isinstance(policy, str) else next(iter(policy.values() if "Ref" in policy else policy), "?")
            )
            raise UnsupportedPolicy(
                f"{owner}: policy {name!r} is neither inline nor a managed policy of this template; "
                "write its statements in the template"
            )
    return [stack.resolve(d) for d in documents]


def function_statements(stack: Stack, logical_id: str) -> list[Statement]:
    """The identity policy of a function: its ``Policies``, or those of its ``Role``."""
    props = stack.resources[logical_id].get("Properties") or {}
    policies: Any = props.get("Policies") or []
    if "Role" in props:
        role = props["Role"]
        role_id = (role.get("Fn::GetAtt") or [None])[0] if isinstance(role, Mapping) else None
        if role_id not in stack.resources:
            raise UnsupportedPolicy(f"{logical_id}: Role {role!r} is not a role of this template")
        policies = (stack.resources[role_id].get("Properties") or {}).get("Policies") or []
    statements = []
    for document in _documents(stack, logical_id, policies):
        raw = document.get("Statement") or []
        for i, statement in enumerate(raw if isinstance(raw, list) else [raw]):
            statements.append(Statement.parse(statement, f"{logical_id} statement {statement.get('Sid') or i}"))
    return statements


def role_name(stack: Stack, logical_id: str) -> str:
    """The name of a function's execution role (SAM's generated name, without its suffix)."""
    role = (stack.resources[logical_id].get("Properties") or {}).get("Role")
    if isinstance(role, Mapping) and "Fn::GetAtt" in role:
        return stack.physical_name(role["Fn::GetAtt"][0])
    return f"{stack.stack_name}-{logical_id}Role"
