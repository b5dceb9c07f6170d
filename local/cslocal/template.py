"""Reading template.yaml: CloudFormation tags, intrinsic functions, and the parts the
local stack needs (functions with their events and environment, tables, queues, buckets).

The template is the single source of truth: the local stack creates what it declares.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ACCOUNT = "123456789012"
REGION = "us-east-1"
# The property that names a resource, by type (resources without one get a generated name).
_NAME_PROPERTIES = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::Serverless::Function": "FunctionName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::KMS::Alias": "AliasName",
    "AWS::Scheduler::ScheduleGroup": "Name",
    "AWS::IAM::Role": "RoleName",
    "AWS::S3::Bucket": "BucketName",
}


class _Loader(yaml.SafeLoader):
    """SafeLoader that turns ``!Ref x`` into ``{"Ref": x}``, ``!Sub`` into ``{"Fn::Sub": ...}``…"""


def _tag(tag: str) -> None:
    name = "Ref" if tag == "Ref" else f"Fn::{tag}"

    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if tag == "GetAtt":
                value = str(value).split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {name: value}

    _Loader.add_constructor(f"!{tag}", construct)


for _t in (
    "Ref",
    "Sub",
    "GetAtt",
    "If",
    "Not",
    "Equals",
    "And",
    "Or",
    "Join",
    "Select",
    "Split",
    "FindInMap",
    "ImportValue",
    "Base64",
    "GetAZs",
    "Condition",
):
    _tag(_t)


def load(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.load(handle, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
        return loaded


@dataclass
class Function:
    logical_id: str
    name: str
    code_dir: Path
    handler: str
    timeout: int
    memory: int
    environment: dict[str, str]
    events: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.name}"


@dataclass
class Stack:
    """The resources of a template with the physical names the local stack gives them."""

    root: Path
    doc: dict[str, Any]
    stack_name: str
    parameter_overrides: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.resources: dict[str, dict[str, Any]] = self.doc.get("Resources", {})
        self.parameters = {
            name: str(self.parameter_overrides.get(name, spec.get("Default", "")))
            for name, spec in (self.doc.get("Parameters") or {}).items()
        }
        self.globals_fn: dict[str, Any] = (self.doc.get("Globals") or {}).get("Function", {})
        # Ids AWS generates (a KMS key's), by logical id, once the resource exists.
        self.physical_ids: dict[str, str] = {}

    # ---- physical names and attributes
    def physical_name(self, logical_id: str) -> str:
        """The name the template gives a resource, else ``<stack>-<logicalId>``."""
        if logical_id in self.physical_ids:
            return self.physical_ids[logical_id]
        res = self.resources[logical_id]
        props = res.get("Properties") or {}
        kind = res["Type"]
        name_property = _NAME_PROPERTIES.get(kind)
        if name_property and name_property in props:
            return str(self.resolve(props[name_property]))
        name = f"{self.stack_name}-{logical_id}"
        if kind == "AWS::SQS::Queue" and props.get("FifoQueue"):
            name += ".fifo"
        if kind == "AWS::S3::Bucket":
            name = name.lower()
        return name

    @property
    def stack_id(self) -> str:
        """Like CloudFormation's (``arn:...:stack/<name>/<uuid>``), the same on every start of
        a stack of this name, so names derived from it survive restarts."""
        stack_uuid = uuid.uuid5(uuid.NAMESPACE_URL, f"cslocal:{self.stack_name}")
        return f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{self.stack_name}/{stack_uuid}"

    def ref(self, name: str) -> str:
        if name in self.parameters:
            return self.parameters[name]
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": self.stack_id,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": "",
        }
        if name in pseudo:
            return pseudo[name]
        kind = self.resources[name]["Type"]
        physical = self.physical_name(name)
        if kind == "AWS::SQS::Queue":
            return self.queue_url(physical)
        if kind in ("AWS::SNS::Topic",):
            return f"arn:aws:sns:{REGION}:{ACCOUNT}:{physical}"
        return physical

    def queue_url(self, physical: str) -> str:
        return f"{self.endpoint_hint}/{ACCOUNT}/{physical}"

    endpoint_hint = "http://localhost"

    def get_att(self, logical_id: str, attribute: str) -> str:
        kind = self.resources[logical_id]["Type"]
        physical = self.physical_name(logical_id)
        if attribute == "Arn":
            service = {
                "AWS::DynamoDB::Table": f"dynamodb:{REGION}:{ACCOUNT}:table/{physical}",
                "AWS::SQS::Queue": f"sqs:{REGION}:{ACCOUNT}:{physical}",
                "AWS::S3::Bucket": f"s3:::{physical}",
                "AWS::Serverless::Function": f"lambda:{REGION}:{ACCOUNT}:function:{physical}",
                "AWS::Logs::LogGroup": f"logs:{REGION}:{ACCOUNT}:log-group:{physical}",
                "AWS::IAM::Role": f"iam::{ACCOUNT}:role/{physical}",
                "AWS::SecretsManager::Secret": f"secretsmanager:{REGION}:{ACCOUNT}:secret:{physical}",
                "AWS::KMS::Key": f"kms:{REGION}:{ACCOUNT}:key/{physical}",
            }.get(kind)
            return f"arn:aws:{service or physical}"
        if attribute == "QueueName":
            return physical
        if attribute == "QueueUrl":
            return self.queue_url(physical)
        return physical

    def condition(self, name: str) -> bool:
        return bool(self.resolve((self.doc.get("Conditions") or {})[name]))

    def resolve(self, value: Any) -> Any:
        """Evaluate the intrinsic functions the template uses."""
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((fn, arg),) = value.items()
            if fn == "Ref":
                return self.ref(arg)
            if fn == "Fn::GetAtt":
                return self.get_att(arg[0], arg[1])
            if fn == "Fn::Sub":
                text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))
                return re.sub(r"\$\{([^}!]+)\}", lambda m: self._sub(m.group(1), extra), text)
            if fn == "Fn::Join":
                return str(arg[0]).join(str(self.resolve(v)) for v in arg[1])
            if fn == "Fn::If":
                return self.resolve(arg[1] if self.condition(arg[0]) else arg[2])
            if fn == "Fn::Equals":
                return str(self.resolve(arg[0])) == str(self.resolve(arg[1]))
            if fn == "Fn::Not":
                return not self.resolve(arg[0])
            if fn == "Fn::And":
                return all(self.resolve(a) for a in arg)
            if fn == "Fn::Or":
                return any(self.resolve(a) for a in arg)
            if fn == "Fn::Select":
                return self.resolve(arg[1])[int(arg[0])]
            if fn == "Fn::Split":
                return str(self.resolve(arg[1])).split(arg[0])
        return {k: self.resolve(v) for k, v in value.items()}

    def _sub(self, expr: str, extra: dict[str, Any]) -> str:
        if expr in extra:
            return str(extra[expr])
        if "." in expr and expr.split(".", 1)[0] in self.resources:
            logical, attribute = expr.split(".", 1)
            return self.get_att(logical, attribute)
        return self.ref(expr)

    # ---- what the local stack creates and runs
    def of_type(self, *kinds: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v.get("Type") in kinds}

    def functions(self) -> list[Function]:
        out = []
        g = self.globals_fn
        g_env = ((g.get("Environment") or {}).get("Variables")) or {}
        for logical_id, res in self.of_type("AWS::Serverless::Function").items():
            props = res.get("Properties") or {}
            env = {**g_env, **(((props.get("Environment") or {}).get("Variables")) or {})}
            out.append(
                Function(
                    logical_id=logical_id,
                    name=self.physical_name(logical_id),
                    code_dir=self.root / str(props.get("CodeUri", ".")),
                    handler=str(props.get("Handler", g.get("Handler", "app.handler"))),
                    timeout=int(props.get("Timeout", g.get("Timeout", 3))),
                    memory=int(props.get("MemorySize", g.get("MemorySize", 128))),
                    environment={k: str(self.resolve(v)) for k, v in env.items()},
                    events=props.get("Events") or {},
                )
            )
        return out

    def api(self) -> dict[str, Any]:
        apis = self.of_type("AWS::Serverless::Api")
        return (next(iter(apis.values())).get("Properties") or {}) if apis else {}


def load_stack(
    root: Path, stack_name: str, template_file: str = "template.yaml", parameter_overrides: dict[str, str] | None = None
) -> Stack:
    return Stack(
        root=root, doc=load(root / template_file), stack_name=stack_name, parameter_overrides=parameter_overrides or {}
    )
