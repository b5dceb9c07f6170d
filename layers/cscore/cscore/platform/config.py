"""Deployment settings read from the function's environment (set by template.yaml)."""

from __future__ import annotations

import os


def tenant_table() -> str:
    return os.environ.get("TENANT_TABLE_NAME", "cs-platform-tenant")


def rate_limit_table() -> str:
    return os.environ.get("RATE_LIMIT_TABLE_NAME", "cs-platform-rate-limit")


def connector_table() -> str:
    return os.environ.get("CONNECTOR_TABLE_NAME", "cs-platform-connector")


def idempotency_table() -> str:
    return os.environ.get("IDEMPOTENCY_TABLE_NAME", "cs-platform-idempotency")


def user_events_queue_url() -> str:
    return os.environ.get("USER_EVENTS_QUEUE_URL", "")


def ses_sender() -> str:
    return os.environ.get("SES_SENDER_EMAIL", "no-reply@example.com")


def salesforce_login_host() -> str:
    """Where production orgs log in (a parameter, so the local stack can point it at its org)."""
    return os.environ.get("SALESFORCE_LOGIN_HOST", "https://login.salesforce.com").rstrip("/")


def salesforce_sandbox_login_host() -> str:
    return os.environ.get("SALESFORCE_SANDBOX_LOGIN_HOST", "https://test.salesforce.com").rstrip("/")


def salesforce_api_version() -> str:
    return os.environ.get("SALESFORCE_API_VERSION", "v60.0")


def salesforce_app_secret_id() -> str:
    """Secrets Manager secret holding the connected app: ``{"clientId", "clientSecret", "callbackUrl"?}``."""
    return os.environ.get("SALESFORCE_APP_SECRET_ID", "cs-platform/salesforce-connected-app")


def token_key_id() -> str:
    """KMS key (alias) that encrypts the Salesforce tokens."""
    return os.environ.get("TOKEN_KEY_ID", "alias/cs-platform-connector-tokens")


def sync_job_function_arn() -> str:
    return os.environ.get("SYNC_JOB_FUNCTION_ARN", "")


def scheduler_role_arn() -> str:
    return os.environ.get("SCHEDULER_ROLE_ARN", "")


def schedule_group() -> str:
    return os.environ.get("SCHEDULE_GROUP_NAME", "default")


def sync_runs_queue_url() -> str:
    """The queue that starts and continues connector job runs."""
    return os.environ.get("SYNC_RUNS_QUEUE_URL", "")


def bulk_bucket_name() -> str:
    """The bucket of bulk CSV imports: ``uploads/`` (pre-signed PUTs), ``imports/`` (files being
    imported; S3 notifies the worker) and ``errors/`` (rejected rows)."""
    return os.environ.get("BULK_BUCKET_NAME", "cs-platform-bulk-imports")


def bulk_imports_queue_url() -> str:
    """The queue that starts and continues bulk CSV imports."""
    return os.environ.get("BULK_IMPORTS_QUEUE_URL", "")


def sync_page_size() -> int:
    """Rows a sync step reads and writes at once (Salesforce's batchSize, 200-2000)."""
    return max(200, min(int(os.environ.get("SYNC_PAGE_SIZE", "2000")), 2000))
