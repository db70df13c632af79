"""YAML read strictly: no silent type surprises, and every mapping and list knows its line.

PyYAML's default resolvers turn `NO` into False, `1:20` into 80 and `2024-05-03` into a date
object. A fact sheet must never change a value behind the author's back, so this loader only
recognises null, true/false, decimal integers and decimal numbers (kept as Decimal, so `8.20`
keeps its trailing zero); everything else stays the string the author wrote. The schema that reads
the result then rejects a number where it expects text, with the line to fix.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .errors import SiteError
from .suggest import yaml_hint

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlMap(dict):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class YamlList(list):
    """A sequence that remembers its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


class DuplicateKeyError(yaml.MarkedYAMLError):
    pass


class StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader with the small, unsurprising set of implicit types described above."""

    yaml_implicit_resolvers: dict = {}

    def construct_strict_map(self, node: yaml.MappingNode) -> YamlMap:
        result = YamlMap()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                raise DuplicateKeyError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_strict_list(self, node: yaml.SequenceNode) -> YamlList:
        result = YamlList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result

    def construct_decimal(self, node: yaml.ScalarNode) -> Decimal:
        return Decimal(self.construct_scalar(node).replace("_", ""))

    def construct_int(self, node: yaml.ScalarNode) -> int:
        return int(self.construct_scalar(node).replace("_", ""))


_RESOLVERS = [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", list("~nN") + [""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9][0-9_]*$", list("-+0123456789")),
    ("tag:yaml.org,2002:float", r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]+(?:[eE][-+]?[0-9]+)?$",
     list("-+0123456789.")),
]
for _tag, _pattern, _first in _RESOLVERS:
    StrictLoader.add_implicit_resolver(_tag, re.compile(_pattern), _first)
StrictLoader.add_constructor("tag:yaml.org,2002:map", StrictLoader.construct_strict_map)
StrictLoader.add_constructor("tag:yaml.org,2002:seq", StrictLoader.construct_strict_list)
StrictLoader.add_constructor("tag:yaml.org,2002:float", StrictLoader.construct_decimal)
StrictLoader.add_constructor("tag:yaml.org,2002:int", StrictLoader.construct_int)


def parse_yaml(text: str, path: str, first_line: int = 1) -> tuple[Any, list[SiteError]]:
    """Parse YAML text; errors carry `path` and the line in the file (offset by `first_line`)."""
    try:
        return yaml.load(text, Loader=StrictLoader), []  # noqa: S506 - StrictLoader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else first_line
        message = exc.problem or str(exc)
        if exc.context and exc.problem:
            message = f"{exc.problem} ({exc.context})"
        message += yaml_hint(exc.problem)
        return None, [SiteError(path, line, f"invalid YAML: {message}")]
    except yaml.YAMLError as exc:
        return None, [SiteError(path, first_line, f"invalid YAML: {exc}")]


def read_yaml(path: Path, shown_as: str) -> tuple[Any, list[SiteError]]:
    """Read and parse one YAML file."""
    return parse_yaml(path.read_text(encoding="utf-8"), shown_as)
