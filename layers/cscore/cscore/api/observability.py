"""One Logger, Tracer and Metrics per execution environment, configured from the
function's POWERTOOLS_* environment (template.yaml Globals)."""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
tracer = Tracer()
metrics = Metrics()

# Most requests publish no custom metric; that is expected, not worth a warning per call.
warnings.filterwarnings("ignore", message="No application metrics to publish")
