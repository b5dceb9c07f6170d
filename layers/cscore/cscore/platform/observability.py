"""One Logger, Tracer and Metrics per execution environment, configured from the
function's POWERTOOLS_* environment (template.yaml Globals)."""

from __future__ import annotations

import os
import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
metrics = Metrics()


def _tracing_enabled() -> bool:
    return os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").strip().lower() not in ("1", "true", "yes")


# Tracer imports the X-Ray SDK (~120 ms of cold start) even when disabled, so it exists
# only where tracing is on (Lambda with Tracing: Active); locally and in tests it is None.
tracer: Tracer | None = Tracer() if _tracing_enabled() else None

# Most requests publish no custom metric; that is expected, not worth a warning per call.
warnings.filterwarnings("ignore", message="No application metrics to publish")
