"""Test-wide settings, applied before anything creates a boto3 client."""

import os

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ["POWERTOOLS_TRACE_DISABLED"] = "true"
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "CSPlatformTest")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "cs-platform")
# Unit tests run against in-process moto; only integration tests use an endpoint.
os.environ.pop("AWS_ENDPOINT_URL", None)

import moto  # noqa: F401 - imported before any boto3 client exists
