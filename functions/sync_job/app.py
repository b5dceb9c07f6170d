"""A connector job's run, started by its EventBridge Scheduler schedule
(``{tenantId, jobId, trigger}``)."""

from typing import Any

from cscore.api.observability import logger
from cscore.connector import jobs


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    logger.append_keys(tenantId=event.get("tenantId"), jobId=event.get("jobId"))
    run = jobs.start_scheduled(str(event["tenantId"]), str(event["jobId"]))
    logger.info("scheduled run", extra={"runId": run and run["runId"]})
    return {"runId": run["runId"] if run else None}
