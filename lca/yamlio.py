"""Safe reading of YAML files, with the line and column of every value.

Only a safe loader is used: no Python objects can be built from a file, and
plain scalars are read by the YAML 1.2 core schema (no base-60 numbers, no
``on``/``no`` booleans, no dates). A document whose aliases expand beyond
:data:`MAX_NODES` values is refused before anything walks it.
Files may be UTF-8 or, with a byte-order mark, UTF-16 or UTF-32.
Files that are empty, binary, not UTF-8, larger than :data:`MAX_BYTES`, or
that repeat a key in a mapping are rejected with an :class:`InputError` that
names the file and the line.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, LcaError

__all__ = ["MAX_BYTES", "MAX_NODES", "Document", "read_yaml", "read_text", "locate"]

MAX_BYTES = 5_000_000  # a study or inventory file larger than this is refused

MAX_NODES = 200_000  # values in a document, aliases expanded: a few hundred bytes of nested aliases stop here

try:  # the C parser is faster; both build plain Python values only (safe loaders)
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Base = yaml.SafeLoader


class _CoreLoader(_Base):
    """A safe loader that reads plain scalars by the YAML 1.2 core schema.

    PyYAML follows YAML 1.1, where ``190:20:30`` is a base-60 integer, ``on``,
    ``no`` and ``y`` are booleans and ``2024-01-01`` a date; a study that
    writes them means a text (or made a mistake that a schema check should
    see). Here only ``true``/``false`` are booleans, ``null``/``~``/empty is
    null, and integers and floats have their usual decimal forms (plus ``0o``
    and ``0x`` integers): everything else stays text. Merge keys (``<<``) are
    kept.
    """

    yaml_implicit_resolvers: dict = {}


for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", ["<"]),  # merge keys: not core, but widely used (and safe)
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
):
    _CoreLoader.add_implicit_resolver(_tag, re.compile(_pattern), _first)

_Loader = _CoreLoader


@dataclass
class Document:
    """A parsed YAML file: its data and the position of every field path."""

    path: Path
    data: Any
    marks: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    def where(self, loc: tuple) -> dict[str, Any]:
        """``file``/``line``/``column`` for a field path (closest known parent)."""
        loc = tuple(loc)
        while loc and loc not in self.marks:
            loc = loc[:-1]
        line, col = self.marks.get(loc, (None, None))
        return {"file": self.path, "line": line, "column": col}


def read_text(path: Path, error: type[InputError] = InputError) -> str:
    """Read a small text file (UTF-8; UTF-16 or UTF-32 with a byte-order mark).

    Refuses missing, huge, binary or empty files.
    """
    path = Path(path)
    if not path.exists():
        raise error("file not found", file=path)
    if not path.is_file():
        raise error("not a regular file", file=path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise error(
            f"file is too large ({size:,} bytes)",
            file=path,
            valid=f"at most {MAX_BYTES:,} bytes",
        )
    raw = path.read_bytes()
    for bom, encoding in _WIDE_BOMS:  # YAML 1.2 allows UTF-16 and UTF-32; Windows editors save "Unicode" so
        if raw.startswith(bom):
            try:
                return _not_empty(raw[len(bom) :].decode(encoding), path, error)
            except UnicodeDecodeError as exc:
                raise error(f"file is not valid {encoding.upper()} (byte {exc.start})", file=path) from None
    if b"\x00" in raw:
        raise error(
            "file is binary, not YAML text",
            file=path,
            hint="save it as UTF-8 (UTF-16 or UTF-32 need a byte-order mark)",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"file is not valid UTF-8 (byte {exc.start})", file=path) from None
    return _not_empty(text, path, error)


_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _not_empty(text: str, path: Path, error: type[InputError]) -> str:
    if not text.strip():
        raise error("file is empty", file=path)
    return text


def _walk(node: yaml.Node, loc: tuple, marks: dict, path: Path, error: type[InputError], count: list[int]) -> None:
    count[0] += 1
    if count[0] > MAX_NODES:
        raise error(
            f"the document expands to more than {MAX_NODES:,} values (nested aliases?)",
            file=path,
            valid="a study or inventory file of ordinary size; write values out instead of nesting aliases",
        )
    marks.setdefault(loc, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                raise error(
                    f"duplicate key {key!r} (first at line {seen[key]})",
                    file=path,
                    line=key_node.start_mark.line + 1,
                    column=key_node.start_mark.column + 1,
                    field=".".join(str(p) for p in loc) or None,
                )
            seen[key] = key_node.start_mark.line + 1
            _walk(value_node, loc + (key,), marks, path, error, count)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, loc + (i,), marks, path, error, count)


def read_yaml(path: Path | str, error: type[InputError] = InputError) -> Document:
    """Parse a YAML file safely; return its data and the position of each field."""
    path = Path(path)
    text = read_text(path, error)
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(
            f"not valid YAML: {problem}",
            file=path,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except RecursionError:
        raise error("YAML nesting is too deep", file=path) from None
    if node is None or data is None:
        raise error("file is empty", file=path)
    marks: dict[tuple, tuple[int, int]] = {}
    _walk(node, (), marks, path, error, [0])
    return Document(path=path, data=data, marks=marks)


def locate(doc: Document, loc: tuple, build: Callable[[], LcaError]) -> LcaError:
    """Build an error and fill in the file/line/column of ``loc`` in ``doc``."""
    err = build()
    return err.located(**doc.where(loc))
