"""Read a tenant file (tenants/<id>.yaml) and validate it against :class:`seteli.domain.tenant.Tenant`.

Every problem is reported at once with where it is, so that a municipality's IT person can fix
the file in one go::

    the tenant file has 2 problems:
    - services[3].contents[0].unit (line 88): Input should be 'day', 'hour', ... (got 'days')
    - services[4].rulebook (line 97): service cleaning: unknown rulebook siivous (known: ...)

Checks that compare parts of the file with each other (does the rulebook a service names exist?)
run once every field on its own is valid, so a second run may find more.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from seteli.domain.tenant import Tenant, TenantProblems

_SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
_PREFIX_PATTERN = r"^[A-Z0-9]{2,10}$"
_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def load_tenant_yaml(path: str | Path) -> Tenant:
    """Read and validate a tenant file; ``ValueError`` lists every problem with its location."""
    text = Path(path).read_text(encoding="utf-8-sig")
    return parse_tenant_yaml(text)


def parse_tenant_yaml(text: str) -> Tenant:
    """Validate a tenant file's text (see :func:`load_tenant_yaml`)."""
    from pydantic import ValidationError

    data, root = _load_yaml(text)
    if not isinstance(data, dict):
        raise ValueError("the tenant file must be a mapping of fields (id: ..., name: ..., services: ...)")
    try:
        return Tenant.model_validate(data)
    except ValidationError as exc:
        lines = [_describe(err, root) for err in exc.errors()]
        problems = [p for group in lines for p in group]
        noun = "problem" if len(problems) == 1 else "problems"
        body = "\n".join(f"- {p}" for p in problems)
        raise ValueError(f"the tenant file has {len(problems)} {noun}:\n{body}") from None


# --- YAML -------------------------------------------------------------------------------------


def _load_yaml(text: str) -> tuple[Any, Any]:
    """The document's data and its node tree (for line numbers)."""
    import yaml

    class Loader(yaml.SafeLoader):
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                if key in seen:
                    first = seen[key]
                    raise ValueError(f"line {line}: {key!r} is given twice here (first on line {first})")
                seen[key] = line
            return super().construct_mapping(node, deep)

    loader = Loader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        raise ValueError(f"the tenant file is not valid YAML: {where}{what}") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"the tenant file is not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    return data, root


def _line_of(root: Any, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the node at ``loc`` (or of the nearest parent that exists)."""
    import yaml

    node, line = root, None
    for part in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            pairs = node.value
            node = next((v for k, v in pairs if isinstance(k, yaml.ScalarNode) and k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
        else:
            node = None
    if node is not None:
        line = node.start_mark.line + 1
    return line


# --- messages -----------------------------------------------------------------------------------


def _relative(loc: str) -> tuple[Any, ...]:
    """Relative location to parts: ``bands[1].from_day`` -> ("bands", 1, "from_day")."""
    return tuple(name if name else int(index) for name, index in _PART.findall(loc))


def _loc_text(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":
            out += " (the key)"
        else:
            out += f".{part}" if out else str(part)
    return out or "(the whole file)"


def _with_line(loc: tuple[Any, ...], root: Any, msg: str) -> str:
    line = _line_of(root, loc) if root is not None else None
    where = _loc_text(loc) + (f" (line {line})" if line else "")
    return f"{where}: {msg}"


def _describe(err: dict[str, Any], root: Any) -> list[str]:
    loc = tuple(err["loc"])
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, TenantProblems):
        return [_with_line(loc + _relative(rel), root, msg) for rel, msg in cause.problems]
    return [_with_line(loc, root, _message(err))]


def _message(err: dict[str, Any]) -> str:
    kind, msg, value = err["type"], err["msg"], err.get("input")
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if kind == "missing":
        return "this field is required"
    if kind == "extra_forbidden":
        return "unknown field: check its name in tenants/README.md"
    pattern = (err.get("ctx") or {}).get("pattern")
    if kind == "string_pattern_mismatch" and pattern == _SLUG_PATTERN:
        msg = "an id is lower-case letters a-z, digits and hyphens, not starting with a hyphen (home-care)"
    elif kind == "string_pattern_mismatch" and pattern == _PREFIX_PATTERN:
        msg = "an invoice reference prefix is 2-10 capital letters A-Z or digits (e.g. VAMHA)"
    elif kind == "string_type" and isinstance(value, date | datetime | int | float | bool):
        msg += f'; YAML read {_show(value)} as a {type(value).__name__}: put it in quotes ("{_show(value)}")'
    if isinstance(value, str | int | float | bool | date) and kind != "string_type":
        msg += f" (got {_show(value)})"
    return msg


def _show(value: Any) -> str:
    return value.isoformat() if isinstance(value, date | datetime) else repr(value)
