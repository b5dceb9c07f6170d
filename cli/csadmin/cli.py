"""csadmin — tenant and credential administration.

It talks to whatever AWS endpoint boto3 is configured for. Table names come from the
environment (TENANT_TABLE_NAME, RATE_LIMIT_TABLE_NAME, ...), else from ``--stack``'s
CloudFormation outputs; inside a checkout with a running local stack, from
``.local/stack.json`` (endpoint included).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

_TABLE_ENV = {
    "TenantTable": "TENANT_TABLE_NAME",
    "RateLimitTable": "RATE_LIMIT_TABLE_NAME",
    "ConnectorTable": "CONNECTOR_TABLE_NAME",
    "IdempotencyTable": "IDEMPOTENCY_TABLE_NAME",
}


def _local_stack_file() -> Path | None:
    for folder in (Path.cwd(), *Path.cwd().parents):
        candidate = folder / ".local" / "stack.json"
        if candidate.exists():
            return candidate
        if (folder / "template.yaml").exists():
            return None
    return None


def configure(stack_name: str | None) -> str:
    """Point cscore at the right endpoint and tables; returns where they came from."""
    if all(os.environ.get(v) for v in _TABLE_ENV.values()):
        return "environment"
    local = _local_stack_file() if not stack_name else None
    if local is not None and not os.environ.get("AWS_ENDPOINT_URL"):
        info = json.loads(local.read_text())
        os.environ.setdefault("AWS_ENDPOINT_URL", info["awsEndpointUrl"])
        os.environ.setdefault("AWS_DEFAULT_REGION", info.get("region", "us-east-1"))
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
        for logical, env in _TABLE_ENV.items():
            os.environ.setdefault(env, info["tables"][logical])
        return str(local)
    import boto3

    name = stack_name or "cs-platform"
    outputs = boto3.client("cloudformation").describe_stacks(StackName=name)["Stacks"][0].get("Outputs", [])
    by_key = {o["OutputKey"]: o["OutputValue"] for o in outputs}
    for logical, env in _TABLE_ENV.items():
        os.environ.setdefault(env, by_key[f"{logical}Name"])
    return f"stack {name}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="csadmin", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--stack", help="CloudFormation stack whose tables to use (default: local stack, else cs-platform)"
    )
    sub = parser.add_subparsers(dest="area", required=True)

    tenant = sub.add_parser("tenant").add_subparsers(dest="action", required=True)
    create = tenant.add_parser("create", help="create a tenant, its first super admin and its key")
    create.add_argument("--name", required=True)
    create.add_argument("--admin-email", help="e-mail (and SFDCUserName) of the first super admin")
    tenant.add_parser("list", help="list tenants")
    boot = tenant.add_parser("bootstrap", help="re-apply defaults (idempotent)")
    boot.add_argument("--tenant", help="one tenant (default: every tenant)")
    words = tenant.add_parser(
        "backfill-words", help="write the team search word items of Company and User names written before them"
    )
    words.add_argument("--tenant", help="one tenant (default: every tenant)")
    limits = tenant.add_parser("set-limits", help="override one rate-limit window of a family")
    limits.add_argument("--tenant", required=True)
    limits.add_argument("--family", required=True, choices=["users", "standard", "bulk"])
    limits.add_argument("--window", required=True, choices=["minute", "hour", "day"])
    limits.add_argument("--limit", required=True, type=int)

    teams = tenant.add_parser("set-teams", help="switch Company Teams on or off (team APIs answer 409 when off)")
    teams.add_argument("--tenant", required=True)
    teams.add_argument("--enabled", required=True, choices=["true", "false"])

    key = sub.add_parser("key").add_subparsers(dest="action", required=True)
    regen = key.add_parser("regenerate", help="new tenant key; the old one stops working")
    regen.add_argument("--tenant", required=True)
    kcreate = key.add_parser("create", help="a key acting as a user of the tenant")
    kcreate.add_argument("--tenant", required=True)
    kcreate.add_argument("--user", required=True, help="GSID of the user the key acts as")
    klist = key.add_parser("list")
    klist.add_argument("--tenant", required=True)
    krevoke = key.add_parser("revoke")
    krevoke.add_argument("--tenant", required=True)
    krevoke.add_argument("--key-id", required=True)

    client = sub.add_parser("oauth-client").add_subparsers(dest="action", required=True)
    ccreate = client.add_parser("create", help="an M2M OAuth client (id and secret shown once)")
    ccreate.add_argument("--tenant", required=True)
    ccreate.add_argument("--user", help="GSID of the user its tokens act as (default: the first super admin)")
    crevoke = client.add_parser("revoke", help="delete a client; its tokens stop working at once")
    crevoke.add_argument("--tenant", required=True)
    crevoke.add_argument("--client-id", required=True)
    return parser


def run(args: argparse.Namespace) -> Any:
    from cscore.auth import service as auth
    from cscore.tenants import service as tenants

    match (args.area, args.action):
        case ("tenant", "create"):
            return tenants.create_tenant(args.name, args.admin_email)
        case ("tenant", "list"):
            return {"tenants": tenants.list_tenants()}
        case ("tenant", "bootstrap"):
            if args.tenant:
                tenants.get_tenant(args.tenant)
                tenants.bootstrap(args.tenant)
                return {"bootstrapped": 1}
            return {"bootstrapped": tenants.bootstrap_all()}
        case ("tenant", "backfill-words"):
            from cscore.catalog import SHAPES
            from cscore.objects.bulk import words

            chosen = [args.tenant] if args.tenant else [t["tenantId"] for t in tenants.list_tenants()]
            written = {t: {o: words.backfill(t, SHAPES[o]) for o in ("Company", "User")} for t in chosen}
            return {"wordItemsWritten": written}
        case ("tenant", "set-limits"):
            return {
                "tenantId": args.tenant,
                "limits": tenants.set_limit(args.tenant, args.family, args.window, args.limit),
            }
        case ("tenant", "set-teams"):
            return tenants.set_company_teams(args.tenant, args.enabled == "true")
        case ("key", "regenerate"):
            return {"accessKey": tenants.regenerate_tenant_key(args.tenant)}
        case ("key", "create"):
            return {"accessKey": tenants.create_user_key(args.tenant, args.user)}
        case ("key", "list"):
            return {"keys": auth.list_credentials(args.tenant)}
        case ("key", "revoke"):
            auth.revoke_access_key(args.tenant, args.key_id)
            return {"revoked": args.key_id}
        case ("oauth-client", "create"):
            return tenants.create_oauth_client(args.tenant, args.user)
        case ("oauth-client", "revoke"):
            auth.revoke_oauth_client(args.tenant, args.client_id)
            return {"revoked": args.client_id}
    raise SystemExit(f"unknown command {args.area} {args.action}")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    configure(args.stack)
    from cscore.errors import ApiError

    try:
        result = run(args)
    except ApiError as error:
        print(json.dumps({"errorCode": error.code, "errorDesc": error.desc}), file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
