"""YAML read strictly: no silent type surprises, and every mapping and list knows its line.

PyYAML's default resolvers turn `NO` into False, `1:20` into 80 and `2024-05-03` into a date
object. A fact sheet must never change a value behind the author's back, so this loader only
recognises null, true/false, decimal integers and decimal numbers (kept as Decimal, so `8.20`
keeps its trailing zero); everything else stays the string the author wrote. The schema that reads
the result then rejects a number where it expects text, with the line to fix.

Input is untrusted in the small ways a static site meets: aliases are refused (a 1.6 KB "billion
laughs" file would otherwise expand to gigabytes), numbers must be finite and of a sane size
(`.nan`, `!!int 0x65`, 5,000 digits or `1e999999` are errors on their line, not a crash or an
11 MB page), and bytes that are not UTF-8 are reported with their line.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import SiteError, excerpt
from .safe_files import UnsafeFileError, read_input
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


class UnsafeValueError(yaml.MarkedYAMLError):
    """YAML a fact sheet must not accept at all: an alias."""


class RefusedValue:
    """Stands in for a number that is not finite or not of a sane size. The loader reports it
    with its line and reading goes on, so other mistakes in the file are reported in the same
    run; the schema says nothing more about it (see fact_records.Record.error)."""

    def __repr__(self) -> str:
        return "<refused value>"


REFUSED = RefusedValue()
NOT_FINITE = {"nan", ".nan", "inf", ".inf", "infinity"}


# A number in a fact sheet is a measurement: 30 significant digits and powers of ten up to 30
# cover the Moon's mass in grams (7.3e25) and anything smaller with room to spare, while
# keeping every number written out in full short.
MAX_DIGITS = 30
MAX_EXPONENT = 30
DECIMAL_INT = re.compile(r"[-+]?[0-9][0-9_]*")


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
                raise DuplicateKeyError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_strict_list(self, node: yaml.SequenceNode) -> YamlList:
        result = YamlList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result

    refused: list[tuple[int, str]]  # (0-based line, message) of every refused value

    def construct_decimal(self, node: yaml.ScalarNode) -> Decimal | RefusedValue:
        text = self.construct_scalar(node)
        if text.strip().lstrip("+-").lower() in NOT_FINITE:
            return self.refuse(node, text, "is not a finite number")
        try:
            number = Decimal(text.replace("_", ""))
        except (InvalidOperation, ValueError):
            return self.refuse(node, text, "is not a decimal number")
        if not number.is_finite():
            return self.refuse(node, text, "is not a finite number")
        if number and (
            len(number.as_tuple().digits) > MAX_DIGITS or abs(number.adjusted()) > MAX_EXPONENT
        ):
            return self.refuse(
                node,
                text,
                f"is out of range (at most {MAX_DIGITS} digits, "
                f"powers of ten up to {MAX_EXPONENT})",
            )
        return number

    def construct_int(self, node: yaml.ScalarNode) -> int | RefusedValue:
        text = self.construct_scalar(node)
        if not DECIMAL_INT.fullmatch(text):
            return self.refuse(node, text, "is not a whole number in decimal digits")
        digits = text.replace("_", "").lstrip("+-")
        if len(digits.lstrip("0")) > MAX_DIGITS:
            return self.refuse(node, text, f"is out of range (at most {MAX_DIGITS} digits)")
        return int(text.replace("_", ""))

    def refuse(self, node: yaml.ScalarNode, text: str, problem: str) -> RefusedValue:
        self.refused.append((node.start_mark.line, f"number {excerpt(text)} {problem}"))
        return REFUSED


_RESOLVERS = [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", list("~nN") + [""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9][0-9_]*$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]+(?:[eE][-+]?[0-9]+)?$",
        list("-+0123456789."),
    ),
]
for _tag, _pattern, _first in _RESOLVERS:
    StrictLoader.add_implicit_resolver(_tag, re.compile(_pattern), _first)
StrictLoader.add_constructor("tag:yaml.org,2002:map", StrictLoader.construct_strict_map)
StrictLoader.add_constructor("tag:yaml.org,2002:seq", StrictLoader.construct_strict_list)
StrictLoader.add_constructor("tag:yaml.org,2002:float", StrictLoader.construct_decimal)
StrictLoader.add_constructor("tag:yaml.org,2002:int", StrictLoader.construct_int)


def parse_yaml(text: str, path: str, first_line: int = 1) -> tuple[Any, list[SiteError]]:
    """Parse YAML text; errors carry `path` and the line in the file (offset by `first_line`)."""
    loader = StrictLoader(text)
    loader.refused = []
    try:
        refuse_aliases(text)
        document = loader.get_single_data()
        return document, [
            SiteError(path, line + first_line, message) for line, message in loader.refused
        ]
    except UnsafeValueError as exc:
        mark = exc.problem_mark
        return None, [SiteError(path, mark.line + first_line, exc.problem)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else first_line
        message = exc.problem or str(exc)
        if exc.context and exc.problem:
            message = f"{exc.problem} ({exc.context})"
        message += yaml_hint(exc.problem)
        return None, [SiteError(path, line, f"invalid YAML: {message}")]
    except yaml.reader.ReaderError as exc:  # a control character: PyYAML gives its position
        line = text.count("\n", 0, exc.position) + first_line
        return None, [
            SiteError(path, line, f"invalid YAML: {exc.reason} (character #x{exc.character:04x})")
        ]
    except yaml.YAMLError as exc:
        return None, [SiteError(path, first_line, f"invalid YAML: {exc}")]
    finally:
        loader.dispose()


def refuse_aliases(text: str) -> None:
    """Raise on the first alias (`*name`, also in a merge key `<<: *name`).

    Data is short and hand-written: writing a value out twice costs an author little, and
    refusing aliases outright is the only limit that no nesting of them can get round.
    Only a text with a `*` in it is scanned, so the common case costs nothing.
    """
    if "*" not in text:
        return
    try:
        for token in yaml.scan(text, Loader=StrictLoader):
            if isinstance(token, yaml.AliasToken):
                raise UnsafeValueError(
                    None,
                    None,
                    f"YAML aliases (*{token.value[:40]}) "
                    "are not allowed: write the value out in full",
                    token.start_mark,
                )
    except UnsafeValueError:
        raise
    except yaml.YAMLError:
        return  # not valid YAML at all: the parser reports that, with its line


def decode_utf8(data: bytes, path: str) -> tuple[str | None, list[SiteError]]:
    """The text of a file (without a leading byte-order mark), or the line of its first byte
    that is not UTF-8."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        column = len(data[start : exc.start].decode("utf-8", errors="replace")) + 1
        return None, [
            SiteError(
                path,
                line,
                f"not UTF-8 text (byte 0x{data[exc.start]:02x} in "
                f"column {column}): save the file as UTF-8",
            )
        ]


def read_yaml(
    path: Path, shown_as: str, within: tuple[Path, ...] = ()
) -> tuple[Any, list[SiteError]]:
    """Read and parse one YAML file: a regular file inside `within` (default: its folder)."""
    try:
        data = read_input(path, within or (path.parent.resolve(),))
    except UnsafeFileError as problem:
        return None, [SiteError(shown_as, None, str(problem))]
    text, errors = decode_utf8(data, shown_as)
    if text is None:
        return None, errors
    document, problems = _parsed(text, shown_as)
    return document, list(problems)


@lru_cache(maxsize=128)
def _parsed(text: str, shown_as: str) -> tuple[Any, tuple[SiteError, ...]]:
    """A data file parsed once for its text: the fact loader and the name list both read
    every data file, and the dev server reads them again on every save. Callers only read
    the documents."""
    document, problems = parse_yaml(text, shown_as)
    return document, tuple(problems)
