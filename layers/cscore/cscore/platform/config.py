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
