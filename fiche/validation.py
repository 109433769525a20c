"""Validate a `Source` against a pydantic model and name every problem's place.

Models give reasons; this module gives locations. Pydantic reports all errors
of a file at once, each with a `loc` path, which we map back to the line and
column recorded by `source`.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import FicheError, Problem
from .source import Path_, Source

M = TypeVar("M", bound=BaseModel)


class Model(BaseModel):
    """Base of every file model: strict types, no unknown keys, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


_TYPE_NAMES = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    list: "a list",
    dict: "a mapping",
    type(None): "nothing",
}


def _kind(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def validate(
    model: type[M], src: Source, error: type[FicheError] = FicheError, context: dict | None = None
) -> M:
    """`src.data` as an instance of `model`, or `error` listing every problem."""
    try:
        return model.model_validate(src.data, context=context)
    except ValidationError as e:
        raise error([_problem(model, src, err) for err in e.errors()]) from None


def _data_loc(data: Any, loc: tuple) -> tuple[Path_, Any, bool]:
    """Drop pydantic's union tags from `loc`; return the data path, value, found."""
    out: list = []
    cur = data
    for part in loc:
        if (
            isinstance(cur, dict)
            and part in cur
            or isinstance(cur, list)
            and isinstance(part, int)
            and 0 <= part < len(cur)
        ):
            out.append(part)
            cur = cur[part]
        elif isinstance(cur, dict) and cur.get("kind") == part:
            continue  # the discriminator of a tagged union
        elif isinstance(part, str) and part in ("str", "list[str]", "function-after[...]"):
            continue
        elif isinstance(part, str) and ("[" in part or part.startswith(("function", "lax"))):
            continue  # a union member's name, not a key
        else:
            out.append(part)
            return tuple(out), None, False
    return tuple(out), cur, True


def _problem(model: type[BaseModel], src: Source, err: dict) -> Problem:
    loc, value, found = _data_loc(src.data, tuple(err["loc"]))
    kind = err["type"]
    message = err["msg"]
    if kind == "missing":
        field = loc[-1] if loc else ""
        p = src.problem(loc[:-1], f"required field '{field}' is missing")
        return Problem(p.path, p.line, p.col, p.field, p.message)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        hint = _suggest(model, src.data, loc[:-1], key)
        return src.problem(loc, f"unknown key '{key}'{hint}", key=True)
    if kind in (
        "string_type",
        "int_type",
        "float_type",
        "bool_type",
        "list_type",
        "dict_type",
        "model_type",
        "model_attributes_type",
        "tuple_type",
    ):
        expected = {
            "string_type": "text",
            "int_type": "a whole number",
            "float_type": "a number",
            "bool_type": "true or false",
            "list_type": "a list",
            "tuple_type": "a list",
            "dict_type": "a mapping",
            "model_type": "a mapping",
            "model_attributes_type": "a mapping",
        }[kind]
        message = f"expected {expected}, got {_kind(err.get('input'))}"
    elif kind == "union_tag_invalid":
        loc = (*loc, "kind")
        tags = err.get("ctx", {}).get("expected_tags", "")
        message = f"unknown kind '{err.get('ctx', {}).get('tag')}' (expected one of: {tags})"
    elif kind == "union_tag_not_found":
        message = "required field 'kind' is missing"
    elif kind == "literal_error":
        message = f"got {err.get('input')!r}; {err['msg'].replace('Input should be', 'expected')}"
    elif kind == "value_error":
        message = str(err.get("ctx", {}).get("error", message))
    elif kind == "string_too_short":
        message = "must not be empty"
    elif kind == "too_short":
        message = f"needs at least {err.get('ctx', {}).get('min_length', 1)} item(s)"
    elif kind == "string_pattern_mismatch":
        message = f"{err.get('input')!r} is not a valid name (use lower-case letters, digits, '-')"
    else:
        message = message[0].lower() + message[1:] if message else kind
    return src.problem(loc, message)


def _suggest(model: type[BaseModel], data: Any, loc: Path_, key: str) -> str:
    names = _field_names_at(model, data, loc)
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    if names:
        return f" (expected one of: {', '.join(sorted(names))})"
    return ""


def _field_names_at(model: type[BaseModel], data: Any, loc: Path_) -> list[str]:
    """Field names of the model that validates the mapping at `loc`."""
    tp: Any = model
    cur = data
    for part in loc:
        tp = _resolve(tp, cur)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            f = tp.model_fields.get(str(part))
            if f is None:
                return []
            tp = f.annotation
        else:
            origin = typing.get_origin(tp)
            args = typing.get_args(tp)
            if origin in (list, tuple) and args:
                tp = args[0]
            elif origin is dict and len(args) == 2:
                tp = args[1]
            else:
                return []
        cur = cur[part] if isinstance(cur, dict | list) else None
    tp = _resolve(tp, cur)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(tp.model_fields)
    return []


def _resolve(tp: Any, value: Any) -> Any:
    """Unwrap Annotated/Optional/unions down to the model that fits `value`."""
    for _ in range(8):
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            models = [
                a for a in typing.get_args(tp) if isinstance(a, type) and issubclass(a, BaseModel)
            ]
            kind = value.get("kind") if isinstance(value, dict) else None
            for m in models:
                k = m.model_fields.get("kind")
                if k is not None and kind in typing.get_args(k.annotation):
                    return m
            others = [a for a in typing.get_args(tp) if a is not type(None)]
            if isinstance(value, dict) and models:
                return models[0]
            if isinstance(value, list):
                lists = [a for a in others if typing.get_origin(a) in (list, tuple)]
                if lists:
                    tp = lists[0]
                    continue
            return others[0] if len(others) == 1 else tp
        return tp
    return tp
