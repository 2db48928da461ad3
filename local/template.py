"""Read template.yaml: CloudFormation short tags as data, and the intrinsics the local stack needs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ACCOUNT_ID = "123456789012"


class _Loader(yaml.SafeLoader):
    """!Ref X -> {"Ref": "X"}, !GetAtt A.B -> {"Fn::GetAtt": ["A", "B"]}, !Sub s -> {"Fn::Sub": s}, ..."""


def _construct(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_Loader.add_multi_constructor("!", _construct)


def load(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - SafeLoader subclass


class Resolver:
    """Resolves Ref, Fn::Sub, Fn::GetAtt (Arn) and Fn::Join against parameters and local names."""

    def __init__(self, parameters: dict[str, str], region: str, physical: dict[str, str] | None = None) -> None:
        self.values = {"AWS::AccountId": ACCOUNT_ID, "AWS::Region": region, "AWS::Partition": "aws", **parameters}
        self.physical = physical or {}

    def ref(self, name: str) -> str:
        if name in self.values:
            return str(self.values[name])
        if name in self.physical:
            return self.physical[name]
        raise KeyError(f"cannot resolve Ref {name} locally")

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::Sub":
                text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))

                def sub(m: re.Match) -> str:
                    name = m.group(1)
                    if name in extra:
                        return str(extra[name])
                    if "." in name:
                        res, attr = name.split(".", 1)
                        return self.getatt(res, attr)
                    return self.ref(name)

                return re.sub(r"\$\{([^}!]+)\}", sub, text)
            if key == "Fn::GetAtt":
                return self.getatt(arg[0], arg[1])
            if key == "Fn::Join":
                return arg[0].join(str(self.resolve(v)) for v in arg[1])
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def getatt(self, resource: str, attr: str) -> str:
        name = self.physical.get(resource, resource)
        if attr == "Arn":
            return f"arn:aws:local:{self.values['AWS::Region']}:{ACCOUNT_ID}:{name}"
        return name
