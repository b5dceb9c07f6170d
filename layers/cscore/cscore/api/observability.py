"""One Logger, Tracer and Metrics per execution environment, configured from the
function's POWERTOOLS_* environment (template.yaml Globals)."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
tracer = Tracer()
metrics = Metrics()
