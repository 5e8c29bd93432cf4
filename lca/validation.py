"""Shared pydantic plumbing: strict models, unit-aware fields, clear errors.

Every schema in ai-lca derives from :class:`Strict` (unknown keys rejected,
NaN/inf rejected). Physical quantities are declared with :func:`Q`, which
accepts a bare number (already in the canonical unit) or a ``"number unit"``
text and converts it once, here. :func:`validate` turns a pydantic
``ValidationError`` into one of our :class:`~lca.errors.InputError` classes,
naming the file, line, field path, bad value and what would be valid.
"""

from __future__ import annotations

import types
from collections.abc import Sequence
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from .errors import InputError, UnitError, did_you_mean
from .units import parse_quantity
from .yamlio import Document

__all__ = ["Strict", "Q", "validate", "format_loc", "unwrap_models", "check_histogram"]


class Strict(BaseModel):
    """Base of every schema: unknown keys and non-finite numbers are errors."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=False)


def _quantity_parser(unit: str):
    def parse(raw: Any) -> Any:
        if raw is None:
            return raw
        if isinstance(raw, dict | list | tuple):  # a structure: let a union's other member say what is wrong
            raise PydanticCustomError(
                "not_a_quantity",
                "expected a number, optionally followed by its unit (e.g. 12 or '12 {unit}')",
                {"unit": unit},
            )
        try:
            return parse_quantity(raw, unit)
        except UnitError as exc:
            raise PydanticCustomError("unit_error", "{msg}", {"msg": exc.render()}) from None

    return parse


def Q(unit: str, **constraints: Any) -> Any:
    """A float field in canonical ``unit`` that also accepts ``"12 unit"`` text.

    ``constraints`` are pydantic ``Field`` bounds (``gt``, ``ge``, ``le`` ...),
    checked after conversion.
    """
    return Annotated[float, BeforeValidator(_quantity_parser(unit)), Field(**constraints)]


def check_histogram(edges: Sequence[float], weights: Sequence[float]) -> None:
    """Raise ValueError unless ``edges`` are increasing bin edges from 1 token, one more than the ``weights``,
    which are >= 0 and not all 0 (a request-length histogram, in a study or an inventory record)."""
    if len(edges) != len(weights) + 1 or any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
        raise ValueError("'bins' are increasing edges, one more than 'weights'")
    if edges[0] < 1 or any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError("bin edges start at 1 token or more; weights are >= 0 and not all 0")


def format_loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def unwrap_models(tp: Any) -> list[Any]:
    """Candidate model classes inside an annotation (Optional, Union, list, dict)."""
    origin = get_origin(tp)
    if origin is Annotated:
        return unwrap_models(get_args(tp)[0])
    if origin in (Union, types.UnionType):
        out: list[Any] = []
        for arg in get_args(tp):
            out += unwrap_models(arg)
        return out
    if origin in (list, tuple, set, frozenset):
        return [x for arg in get_args(tp) for x in unwrap_models(arg)]
    if origin is dict:
        args = get_args(tp)
        return unwrap_models(args[1]) if len(args) == 2 else []
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    return []


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    current: list[Any] = [model]
    for part in loc:
        if isinstance(part, int):
            continue
        nxt: list[Any] = []
        for cand in current:
            if isinstance(cand, type) and issubclass(cand, BaseModel):
                info = cand.model_fields.get(part)
                if info is not None:
                    nxt += unwrap_models(info.annotation)
        if not nxt:
            # a union tag or a dict key; keep the candidates
            continue
        current = nxt
    for cand in current:
        if isinstance(cand, type) and issubclass(cand, BaseModel):
            return cand
    return None


_FRIENDLY = {
    "missing": "missing required field",
    "extra_forbidden": "unknown field",
    "finite_number": "value must be a finite number",
}


def _clean_loc(loc: tuple) -> tuple:
    # pydantic inserts union member names and function names into the path
    return tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p.startswith("function-"))))


def validate(
    model: type[BaseModel],
    data: Any,
    *,
    doc: Document | None = None,
    error: type[InputError] = InputError,
    prefix: tuple = (),
    context: dict | None = None,
) -> Any:
    """Validate ``data`` into ``model``; on failure raise ``error`` with location."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        errors = [e for e in errors if e["type"] != "not_a_quantity"] or errors
        first = errors[0]
        loc = _clean_loc(tuple(first["loc"]))
        full = prefix + loc
        kind = first["type"]
        msg = _FRIENDLY.get(kind, first["msg"])
        valid = None
        hint = None
        value: Any = first.get("input", ...)
        cls: type[InputError] = error
        if kind == "extra_forbidden":
            parent = _model_at(model, loc[:-1])
            if parent is not None:
                names = sorted(parent.model_fields)
                valid = ", ".join(names)
                close = did_you_mean(str(loc[-1]), names)
                if close:
                    hint = f"Did you mean {', '.join(repr(c) for c in close)}?"
            value = loc[-1] if loc else value
        elif kind == "missing":
            value = ...
        elif kind == "unit_error":
            cls = UnitError
            msg = str(first["ctx"]["msg"]) if "ctx" in first else first["msg"]
            value = ...
        elif kind.startswith(("greater_than", "less_than")):
            valid = first["msg"].replace("Input should be ", "")
            msg = "value out of range"
        elif kind == "literal_error":
            valid = first["msg"].replace("Input should be ", "")
            msg = "value not allowed"
        elif kind == "string_pattern_mismatch":
            msg = "not a valid identifier"
            valid = "letters, digits, '.', '_' and '-', starting with a letter or digit (no spaces)"
        elif kind in (
            "string_type",
            "int_type",
            "float_type",
            "bool_type",
            "dict_type",
            "list_type",
            "model_type",
            "int_parsing",
            "float_parsing",
            "bool_parsing",
            "int_from_float",
        ):
            expected = {
                "string": "text",
                "int": "a whole number",
                "float": "a number",
                "bool": "true or false",
                "dict": "a mapping",
                "list": "a list",
                "model": "a mapping",
            }[kind.split("_")[0]]
            msg = f"wrong type: expected {expected}"
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        more = len(errors) - 1
        if more:
            hint = (hint + " " if hint else "") + f"({more} more problem{'s' if more > 1 else ''} in this file)"
        where = doc.where(full) if doc is not None else {}
        raise cls(
            msg,
            field=format_loc(full) or None,
            value=value,
            valid=valid,
            hint=hint,
            **where,
        ) from None
