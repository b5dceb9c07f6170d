"""Start the whole local stack from template.yaml and describe it in .local/stack.json."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import certifi

from cslocal.aws_server import LocalAwsServer
from cslocal.event_sources import EventSources
from cslocal.gateway import Gateway, GatewayServer
from cslocal.iam_guard import PolicyGuard
from cslocal.private_state import keep_private
from cslocal.resources import create_all
from cslocal.runtime import FunctionRuntime
from cslocal.template import REGION, load_stack
from sforg import ConnectedApp, OrgServer, start_org_server

DEFAULT_STACK_NAME = "cs-platform-local"
DEMO_TENANT = "Demo Tenant"
CALLBACK_PATH = "/v1/connectors/salesforce/oauth/callback"


@dataclass
class RunningStack:
    info: dict[str, Any]
    aws: LocalAwsServer | None
    gateway: GatewayServer
    sources: EventSources
    runtime: FunctionRuntime
    salesforce: OrgServer | None = None
    stopped: bool = field(default=False)

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        self.sources.stop()
        self.gateway.stop()
        self.runtime.close()
        if self.salesforce:
            self.salesforce.stop()
        if self.aws:
            self.aws.stop()


def _environment(endpoint: str, ca_bundle: Path | None = None) -> dict[str, str]:
    env = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", REGION),
        "AWS_REGION": os.environ.get("AWS_REGION", REGION),
        # No X-Ray daemon here; tracing is measured separately (make bench).
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    if "AWS_ACCESS_KEY_ID" not in os.environ:
        env |= {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
    if ca_bundle is not None:
        # The stand-in org's CA is trusted the standard way (requests reads this), so
        # product code verifies TLS exactly as it does against Salesforce.
        env["REQUESTS_CA_BUNDLE"] = str(ca_bundle)
    return env


def _operator_keys() -> dict[str, str]:
    """Keys that act as the account (unrestricted), with their secrets so URLs they
    pre-sign can be checked: this process's own, and ``local`` (tests, csadmin)."""
    keys = {"local": "local"}
    if os.environ.get("AWS_ACCESS_KEY_ID"):
        keys[os.environ["AWS_ACCESS_KEY_ID"]] = os.environ.get("AWS_SECRET_ACCESS_KEY", "")
    return keys


def _connected_app(state_dir: Path, persist: bool) -> dict[str, str]:
    """The local connected app's client id and secret, kept across restarts when persisting."""
    path = state_dir / "connected-app.json"
    if persist and path.exists():
        return dict(json.loads(path.read_text()))
    app = {"clientId": "3MVG9" + secrets.token_urlsafe(60)[:80], "clientSecret": secrets.token_hex(32).upper()}
    if persist:
        path.write_text(json.dumps(app) + "\n")
    return app


def _start_salesforce(state_dir: Path, port: int, persist: bool) -> tuple[OrgServer, dict[str, str]]:
    org = start_org_server(state_dir / "salesforce", port=port, persist=persist)
    return org, _connected_app(state_dir, persist)


def _trust_bundle(state_dir: Path, local_ca: Path) -> Path:
    """The public CAs plus the stand-in org's CA: the stack trusts both, as a machine
    that added a corporate CA to its store would."""
    bundle = state_dir / "ca-bundle.pem"
    bundle.write_text(Path(certifi.where()).read_text() + "\n" + local_ca.read_text())
    return bundle


def _demo_tenant(state_file: Path) -> dict[str, str]:
    """The demo tenant of an earlier run if it still exists, else a new one."""
    from cscore.errors import NotFound
    from cscore.tenants import service as tenants

    if state_file.exists():
        previous = json.loads(state_file.read_text())
        try:
            tenants.get_tenant(previous.get("tenantId", ""))
            return {k: previous[k] for k in ("tenantId", "accessKey", "superAdminGsid")}
        except (NotFound, KeyError):
            pass
    return tenants.create_tenant(DEMO_TENANT, "admin@demo.cs-platform.local")


def start(
    root: Path,
    *,
    port: int = 3000,
    aws_port: int = 0,
    state_dir: Path | None = None,
    persist: bool = True,
    template_file: str = "template.yaml",
    stack_name: str = DEFAULT_STACK_NAME,
    stage: str = "dev",
    schedule_poll_seconds: float = 5.0,
    bootstrap: bool = True,
    salesforce_port: int = 8443,
) -> RunningStack:
    """Start everything; ``bootstrap`` creates (or finds) the demo tenant and re-applies
    tenant defaults (off for templates without the product's tables, e.g. test fixtures)."""
    state_dir = state_dir or root / ".local"
    keep_private(state_dir)
    aws: LocalAwsServer | None = None
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        aws = LocalAwsServer(aws_port, state_dir if persist else None).start()
        endpoint = aws.url
    overrides = {"Stage": stage}
    salesforce: OrgServer | None = None
    app: dict[str, str] = {}
    if bootstrap:  # the product's template: it talks to Salesforce, here the stand-in org
        salesforce, app = _start_salesforce(state_dir, salesforce_port, persist)
        overrides |= {"SalesforceLoginHost": salesforce.url, "SalesforceSandboxLoginHost": salesforce.url}
    ca_bundle = _trust_bundle(state_dir, salesforce.ca_pem_path) if salesforce else None
    os.environ.update(_environment(endpoint, ca_bundle))

    stack = load_stack(root, stack_name, template_file, overrides)
    stack.endpoint_hint = endpoint  # queue URLs point at the embedded AWS
    tables = create_all(stack, endpoint)
    if "SesSenderEmail" in stack.parameters:  # locally the sender is verified for you
        boto3.client("ses", endpoint_url=endpoint).verify_email_identity(
            EmailAddress=stack.parameters["SesSenderEmail"]
        )
    functions = stack.functions()
    credentials: dict[str, dict[str, str]] = {}
    if aws is not None:  # our own embedded AWS: each function's calls are held to its policy
        guard = PolicyGuard(stack, _operator_keys())
        aws.app.guard = guard
        credentials = guard.credentials()
    runtime = FunctionRuntime(functions, _environment(endpoint, ca_bundle), credentials)
    # This process bootstraps tenants with the same code and settings the functions use.
    for function in functions:
        for key, value in function.environment.items():
            os.environ.setdefault(key, value)

    state_file = state_dir / "stack.json"
    demo: dict[str, str] = {}
    if bootstrap:
        from cscore.tenants import service as tenants

        demo = _demo_tenant(state_file)
        tenants.bootstrap_all()  # defaults added by newer code reach every existing tenant

    runtime.reserve(stack)  # Lambda's ReservedConcurrentExecutions, as the template sets them
    gateway = GatewayServer(Gateway(stack, runtime, stage), port).start()
    if salesforce is not None:
        callback = gateway.url + CALLBACK_PATH
        salesforce.register_connected_app(ConnectedApp(app["clientId"], app["clientSecret"], [callback]))
        boto3.client("secretsmanager", endpoint_url=endpoint).put_secret_value(
            SecretId=tables["SalesforceConnectedAppSecret"], SecretString=json.dumps(app | {"callbackUrl": callback})
        )
    sources = EventSources(stack, runtime, endpoint, schedule_poll_seconds).start()
    info = {
        "apiUrl": gateway.url,
        "awsEndpointUrl": endpoint,
        "region": REGION,
        "stackName": stack_name,
        "tables": tables,
        **demo,
    }
    if salesforce is not None:
        info["salesforce"] = salesforce.describe()
    # Written whole, then renamed: whoever waits for the file never reads half of it.
    partial = state_file.with_suffix(".json.tmp")
    partial.write_text(json.dumps(info, indent=2) + "\n")
    os.replace(partial, state_file)
    return RunningStack(info=info, aws=aws, gateway=gateway, sources=sources, runtime=runtime, salesforce=salesforce)
