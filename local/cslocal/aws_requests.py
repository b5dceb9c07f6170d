"""What IAM authorizes for a request to the embedded AWS: its actions, resources (ARNs as
the template writes them) and condition keys, for the services the functions call.

A request this module cannot map raises ``UnmappedRequest``: the caller refuses it, so a
call nobody mapped shows up as a failure rather than as a silent grant.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from urllib.parse import unquote, urlparse

from cslocal.aws_request import Request, UnmappedRequest
from cslocal.dynamodb_requests import DynamoDb, KeySchemas
from cslocal.iam import Call
from cslocal.template import ACCOUNT

__all__ = ["KeySchemas", "Request", "RequestMapper", "UnmappedRequest"]

# S3 sub-resources that name another action than the plain verb's (GET ?uploads ...).
_S3_BUCKET_GET = {
    "uploads": "ListBucketMultipartUploads",
    "versions": "ListBucketVersions",
    "location": "GetBucketLocation",
    "cors": "GetBucketCORS",
    "notification": "GetBucketNotification",
    "policy": "GetBucketPolicy",
    "lifecycle": "GetLifecycleConfiguration",
    "tagging": "GetBucketTagging",
    "acl": "GetBucketAcl",
}
_S3_LIST_PARAMETERS = {
    "list-type",
    "prefix",
    "delimiter",
    "max-keys",
    "continuation-token",
    "start-after",
    "marker",
    "encoding-type",
    "fetch-owner",
}
# Batch calls IAM authorizes with the single call's action.
_SQS_ACTIONS = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}


def _sqs(request: Request) -> list[Call]:
    if request.target:
        operation, params = request.target, request.json()
    else:
        params = request.form()
        operation = params.get("Action", "")
    if not operation:
        raise UnmappedRequest("sqs: no operation")
    action = f"sqs:{_SQS_ACTIONS.get(operation, operation)}"
    url = params.get("QueueUrl") or (request.path if request.path.count("/") >= 2 else "")
    if url:
        account, name = urlparse(str(url)).path.strip("/").split("/")[-2:]
        return [Call(action, f"arn:aws:sqs:{request.region}:{account}:{name}")]
    if "QueueName" in params:
        return [Call(action, request.arn("sqs", str(params["QueueName"])))]
    if operation == "ListQueues":
        return [Call(action, "*")]
    raise UnmappedRequest(f"sqs:{operation} without a queue")


def _s3(request: Request) -> list[Call]:
    bucket, _, key = request.path.lstrip("/").partition("/")
    query, method = request.query, request.method
    if not bucket:
        if method == "GET":
            return [Call("s3:ListAllMyBuckets", "*")]
        raise UnmappedRequest(f"s3: {method} /")
    bucket_arn = f"arn:aws:s3:::{bucket}"
    if key:
        action = _s3_object_action(method, query)
        calls = [Call(f"s3:{action}", f"{bucket_arn}/{key}")]
        source = request.headers.get("x-amz-copy-source")
        if source and method == "PUT":
            calls.append(Call("s3:GetObject", "arn:aws:s3:::" + unquote(source.split("?", 1)[0]).lstrip("/")))
        return calls
    if method == "POST" and "delete" in query:
        # The body is a DeleteObjects request from a function's own SDK, on loopback.
        document = ET.fromstring(request.body)  # noqa: S314
        names = [e.text or "" for e in document.iter() if e.tag.rsplit("}", 1)[-1] == "Key"]
        return [Call("s3:DeleteObject", f"{bucket_arn}/{name}") for name in names]
    if method in ("GET", "HEAD"):
        subresources = set(query) - _S3_LIST_PARAMETERS
        if not subresources:
            return [Call("s3:ListBucket", bucket_arn)]
        if len(subresources) == 1 and method == "GET" and (name := subresources.pop()) in _S3_BUCKET_GET:
            return [Call(f"s3:{_S3_BUCKET_GET[name]}", bucket_arn)]
    if method == "PUT" and not query:
        return [Call("s3:CreateBucket", bucket_arn)]
    if method == "DELETE" and not query:
        return [Call("s3:DeleteBucket", bucket_arn)]
    raise UnmappedRequest(f"s3: {method} on bucket {bucket} with {sorted(query)}")


def _s3_object_action(method: str, query: Mapping[str, str]) -> str:
    if method in ("GET", "HEAD"):
        if "uploadId" in query:
            return "ListMultipartUploadParts"
        return "GetObjectTagging" if "tagging" in query else "GetObjectAcl" if "acl" in query else "GetObject"
    if method == "PUT":
        return "PutObjectTagging" if "tagging" in query else "PutObjectAcl" if "acl" in query else "PutObject"
    if method == "POST" and ("uploads" in query or "uploadId" in query):
        return "PutObject"  # multipart uploads are authorized as the PutObject they make
    if method == "DELETE":
        return "AbortMultipartUpload" if "uploadId" in query else "DeleteObject"
    raise UnmappedRequest(f"s3: {method} on an object with {sorted(query)}")


def _kms_key_arn(request: Request, key_id: str) -> str:
    if key_id.startswith("arn:") and ":key/" in key_id:
        return key_id
    if key_id.startswith("arn:") and ":alias/" in key_id:
        key_id = "alias/" + key_id.split(":alias/", 1)[1]
    if key_id.startswith("alias/"):
        from moto.kms.models import kms_backends

        target = kms_backends[ACCOUNT][request.region].get_key_id_from_alias(key_id)
        if not target:
            return request.arn("kms", key_id)  # no such alias: no key a policy could name
        key_id = str(target)
    return request.arn("kms", f"key/{key_id}")


def _kms(request: Request) -> list[Call]:
    operation, body = request.target, request.json()
    action = f"kms:{operation}"
    if operation in ("CreateKey", "ListKeys", "ListAliases", "GenerateRandom"):
        return [Call(action, "*")]
    key_id = body.get("KeyId") or body.get("TargetKeyId")
    if not key_id and operation == "Decrypt":
        key_id = _key_of_ciphertext(str(body.get("CiphertextBlob", "")))
    if not isinstance(key_id, str) or not key_id:
        raise UnmappedRequest(f"kms:{operation} without a key")
    return [Call(action, _kms_key_arn(request, key_id))]


def _key_of_ciphertext(blob: str) -> str:
    """The key a ciphertext was made with (the embedded KMS writes it in the blob)."""
    import base64

    from moto.kms.utils import _deserialize_ciphertext_blob

    try:
        return str(_deserialize_ciphertext_blob(base64.b64decode(blob)).key_id)
    except Exception:  # noqa: BLE001 - not a blob of this KMS: no key, so refused
        return ""


def _secretsmanager(request: Request) -> list[Call]:
    operation, body = request.target, request.json()
    action = f"secretsmanager:{operation}"
    if operation in ("ListSecrets", "GetRandomPassword", "BatchGetSecretValue"):
        return [Call(action, "*")]
    secret = body.get("SecretId") or body.get("Name")
    if not isinstance(secret, str):
        raise UnmappedRequest(f"secretsmanager:{operation} without a secret")
    if secret.startswith("arn:"):
        name = re.sub(r"-[A-Za-z0-9]{6}$", "", secret.split(":secret:", 1)[-1])
        return [Call(action, secret, aliases=(name,))]
    # In CloudFormation !Ref of a secret is its ARN; locally it is its name: both match.
    return [Call(action, request.arn("secretsmanager", f"secret:{secret}"), aliases=(secret,))]


def _scheduler(request: Request) -> list[Call]:
    parts = request.path.strip("/").split("/")
    verbs = {"POST": "Create", "PUT": "Update", "GET": "Get", "DELETE": "Delete"}
    if parts[0] == "schedules" and len(parts) == 2 and request.method in verbs:
        body = request.json() if request.method in ("POST", "PUT") else {}
        group = body.get("GroupName") or request.query.get("groupName") or "default"
        calls = [
            Call(f"scheduler:{verbs[request.method]}Schedule", request.arn("scheduler", f"schedule/{group}/{parts[1]}"))
        ]
        role = (body.get("Target") or {}).get("RoleArn")
        if role:  # the scheduler assumes this role: passing it needs iam:PassRole, as in AWS
            calls.append(Call("iam:PassRole", str(role)))
        return calls
    if parts[0] == "schedule-groups" and len(parts) == 2 and request.method in ("POST", "GET", "DELETE"):
        group_arn = request.arn("scheduler", f"schedule-group/{parts[1]}")
        return [Call(f"scheduler:{verbs[request.method]}ScheduleGroup", group_arn)]
    if parts[0] in ("schedules", "schedule-groups") and len(parts) == 1 and request.method == "GET":
        return [Call("scheduler:ListSchedules" if parts[0] == "schedules" else "scheduler:ListScheduleGroups", "*")]
    raise UnmappedRequest(f"scheduler: {request.method} {request.path}")


def _ses(request: Request) -> list[Call]:
    if request.path.startswith("/v2/email/outbound-emails") and request.method == "POST":
        sender = str(request.json().get("FromEmailAddress", ""))
        operation = "SendEmail"
    else:
        params = request.form()
        operation, sender = params.get("Action", ""), params.get("Source", "")
    if not operation:
        raise UnmappedRequest(f"ses: {request.method} {request.path}")
    if operation in ("SendEmail", "SendRawEmail"):
        address = sender.rsplit("<", 1)[-1].rstrip(">").strip()
        return [
            Call(
                f"ses:{operation}",
                request.arn("ses", f"identity/{address}"),
                context={"ses:fromaddress": (address,)} if address else {},
            )
        ]
    return [Call(f"ses:{operation}", "*")]


class RequestMapper:
    """Maps requests of every service the functions call."""

    def __init__(self, schemas: KeySchemas) -> None:
        self._dynamodb = DynamoDb(schemas)
        self._services: dict[str, Callable[[Request], list[Call]]] = {
            "dynamodb": self._dynamodb.calls,
            "sqs": _sqs,
            "s3": _s3,
            "kms": _kms,
            "secretsmanager": _secretsmanager,
            "scheduler": _scheduler,
            "ses": _ses,
            "email": _ses,
        }

    def calls(self, request: Request) -> list[Call]:
        mapper = self._services.get(request.service)
        if mapper is None:
            raise UnmappedRequest(f"{request.service}: a service the local stack does not authorize")
        try:
            return mapper(request)
        except UnmappedRequest:
            raise
        except (KeyError, ValueError, TypeError, AttributeError, ET.ParseError) as exc:
            raise UnmappedRequest(f"{request.service}: a request it cannot read ({exc!r})") from exc
