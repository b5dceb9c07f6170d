"""IAM in the embedded AWS: every function calls AWS with credentials of its own, and
a call its policy in template.yaml does not allow fails as it would in AWS.

* Each function gets an access key id (``ASIA...``) and secret made at start; the key
  id says which function calls, so its policy is evaluated (``cslocal.iam``) for what the
  request does (``cslocal.aws_requests``).
* Requests signed with any other key are unrestricted: the operator, csadmin, tests and
  the local Lambda service's own pollers (event sources, schedules) act as the account.
* Pre-signed S3 URLs leave the stack (a browser uploads with one), so they are checked as
  S3 does: signature, expiry, then the signer's policy for exactly that key.
* Only identity policies are evaluated. Resource policies are not: the one the template
  has (the bucket's DenyInsecureTransport) is about TLS, and the local endpoint is plain
  HTTP on loopback, so evaluating it would refuse everything rather than check anything.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cslocal import sigv4
from cslocal.aws_refusals import access_denied, s3_error
from cslocal.aws_requests import KeySchemas, Request, RequestMapper, UnmappedRequest
from cslocal.aws_server import Refusal
from cslocal.iam import Call, Decision, Statement, evaluate, function_statements, role_name
from cslocal.resources import table_definitions
from cslocal.template import ACCOUNT, Stack

_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@dataclass(frozen=True)
class Principal:
    """A function as IAM sees it: its role session, credentials and policy."""

    logical_id: str
    function: str
    role: str
    access_key_id: str
    secret_access_key: str
    session_token: str
    statements: tuple[Statement, ...]

    @property
    def arn(self) -> str:
        return f"arn:aws:sts::{ACCOUNT}:assumed-role/{self.role}/{self.function}"

    def environment(self) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_SESSION_TOKEN": self.session_token,
        }


def _access_key_id() -> str:
    # Temporary credentials' prefix, as Lambda's are; 16 more characters as in AWS.
    return "ASIA" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))


def principals(stack: Stack) -> list[Principal]:
    return [
        Principal(
            logical_id=function.logical_id,
            function=function.name,
            role=role_name(stack, function.logical_id),
            access_key_id=_access_key_id(),
            secret_access_key=secrets.token_urlsafe(30),
            session_token=secrets.token_urlsafe(64),
            statements=tuple(function_statements(stack, function.logical_id)),
        )
        for function in stack.functions()
    ]


class PolicyGuard:
    """The embedded AWS's guard (``LocalAwsApp.guard``): refuses what IAM would."""

    def __init__(self, stack: Stack, operator_keys: Mapping[str, str]) -> None:
        self.principals = {p.access_key_id: p for p in principals(stack)}
        # Keys whose secret is known, so URLs they pre-sign can be checked too.
        self._secrets = {**operator_keys, **{k: p.secret_access_key for k, p in self.principals.items()}}
        definitions = [spec["create"] for spec in table_definitions(stack).values()]
        self._mapper = RequestMapper(KeySchemas.from_definitions(definitions))

    def credentials(self) -> dict[str, dict[str, str]]:
        """Per function (logical id), the credentials its environments get."""
        return {p.logical_id: p.environment() for p in self.principals.values()}

    def __call__(self, environ: dict[str, Any], body: bytes) -> Refusal | None:
        if environ.get("REQUEST_METHOD") == "OPTIONS":
            return None  # a CORS preflight carries no credentials, in S3 too
        if sigv4.is_signature_v2(environ):
            return s3_error(
                "InvalidRequest",
                "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
                status="400 Bad Request",
            )
        signer = sigv4.signer(environ)
        if signer is None:
            return None  # unsigned: the stack's own endpoints (sent mail), never a function's SDK
        if signer.service == "s3" and sigv4.is_presigned(environ):
            refusal = self._check_presigned(environ, signer.access_key_id)
            if refusal is not None:
                return refusal
        principal = self.principals.get(signer.access_key_id)
        if principal is None:
            return None  # the operator's, the tests' and the local Lambda service's keys
        request = Request.from_wsgi(environ, body, signer.service, signer.region)
        try:
            calls = self._mapper.calls(request)
        except UnmappedRequest as exc:
            message = (
                f"User: {principal.arn} is not authorized to perform this request: the local stack cannot tell "
                f"which IAM action it needs ({exc}), so it refuses it; map it in cslocal/aws_requests.py"
            )
            return self._refuse(principal, request, message)
        for call in calls:
            decision = evaluate(principal.statements, call)
            if decision is not Decision.ALLOWED:
                return self._refuse(principal, request, _denial(principal, call, decision))
        return None

    def _check_presigned(self, environ: dict[str, Any], access_key_id: str) -> Refusal | None:
        secret = self._secrets.get(access_key_id)
        if secret is None:
            return s3_error("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
        try:
            sigv4.verify_presigned(environ, secret)
        except sigv4.PresignError as exc:
            return s3_error(exc.code, str(exc))
        return None

    @staticmethod
    def _refuse(principal: Principal, request: Request, message: str) -> Refusal:
        # In the stack's log, where a function's failure is looked into.
        print(f"cslocal: AccessDenied for {principal.logical_id}: {message}", file=sys.stderr, flush=True)
        return access_denied(request.service, request.protocol, message)


def _denial(principal: Principal, call: Call, decision: Decision) -> str:
    reason = (
        "with an explicit deny in an identity-based policy"
        if decision is Decision.EXPLICIT_DENY
        else f"because no identity-based policy allows the {call.action} action"
    )
    return f"User: {principal.arn} is not authorized to perform: {call.action} on resource: {call.resource} {reason}"
