"""Validate a `Source` against a pydantic model and name every problem's place.

Models give reasons; this module gives locations. Pydantic reports all errors
of a file at once, each with a `loc` path, which we map back to the line and
column recorded by `source`.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from fiche.core.errors import FicheError, Problem
from fiche.model.source import Path_, Source

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


def _got(value: Any) -> str:
    """What the file holds, as the user wrote it: `text 'big'`, `the number 3`, `a list`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"text {shown!r}"
    if isinstance(value, int | float):
        return f"the number {_number(value)}"
    return _kind(value)


def _number(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


@dataclass(frozen=True)
class PatternHint:
    """`Annotated` metadata: what to answer when a value does not match its pattern.

    `say(value, data)` gets the whole file's data, so that it can list the names the
    value could have been (the palette's colours for a colour name).
    """

    say: Callable[[Any, Any], str]


# Pydantic error types of a value of the wrong type, and what we say was expected.
_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}
# The names pydantic gives the members of a plain union in an error's `loc`.
_UNION_MEMBERS = {"str", "int", "float", "bool", "none", "list[str]", "function-after[...]"}


def validate(
    model: type[M], src: Source, error: type[FicheError] = FicheError, context: dict | None = None
) -> M:
    """`src.data` as an instance of `model`, or `error` listing every problem."""
    try:
        return model.model_validate(src.data, context=context)
    except ValidationError as e:
        raise error(_problems(model, src, e.errors())) from None


def _problems(model: type[BaseModel], src: Source, errors: list) -> list[Problem]:
    """One problem per place. A value of the wrong type for a union gets one message
    naming every type it may have; when it has the type of one member and fails that
    member's rules, only those rules are told."""
    wrong_type: dict[Path_, tuple[Any, list[str]]] = {}
    other: list[tuple[Path_, dict]] = []
    for err in errors:
        loc, value, _ = _data_loc(src.data, tuple(err["loc"]))
        if err["type"] in _EXPECTED:
            wrong_type.setdefault(loc, (value, []))[1].append(_expected(model, src, loc, err))
        else:
            other.append((loc, err))
    out = [_problem(model, src, err) for _, err in other]
    for loc, (value, expected) in wrong_type.items():
        if any(o[: len(loc)] == loc for o, _ in other):
            continue
        out.append(
            src.problem(loc, f"expected {' or '.join(dict.fromkeys(expected))}, got {_got(value)}")
        )
    return out


def _expected(model: type[BaseModel], src: Source, loc: Path_, err: dict) -> str:
    """What a value of the wrong type should have been; a model may say it itself
    (`expected`), else it is a mapping of its fields."""
    if err["type"] not in ("model_type", "model_attributes_type", "dict_type"):
        return _EXPECTED[err["type"]]
    tp, _ = _type_at(model, src.data, loc)
    tp = _resolve(tp, None)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        said = getattr(tp, "expected", None)
        if isinstance(said, str):
            return said
        return f"a mapping (keys: {', '.join(tp.model_fields)})"
    return _EXPECTED[err["type"]]


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
        elif isinstance(part, str) and part in _UNION_MEMBERS:
            continue
        elif isinstance(part, str) and not isinstance(cur, dict | list):
            continue  # a union member's name below a plain value
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
    if kind == "union_tag_invalid":
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
    elif kind == "too_long":
        ctx = err.get("ctx", {})
        message = f"needs at most {ctx.get('max_length')} item(s), got {ctx.get('actual_length')}"
    elif kind == "string_pattern_mismatch":
        pattern = _pattern_hint(model, src, loc)
        message = (
            pattern.say(err.get("input"), src.data)
            if pattern
            else f"{err.get('input')!r} is not a valid name (use lower-case letters, digits, '-')"
        )
    else:
        message = message[0].lower() + message[1:] if message else kind
        if found and kind in _BOUNDS:
            message += f", got {_number(value)}" if isinstance(value, int | float) else ""
    return src.problem(loc, message)


_BOUNDS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def _pattern_hint(model: type[BaseModel], src: Source, loc: Path_) -> PatternHint | None:
    tp, metadata = _type_at(model, src.data, loc)
    for _ in range(8):  # Annotated inside Optional inside Annotated ...
        if typing.get_origin(tp) is typing.Annotated:
            metadata = [*metadata, *typing.get_args(tp)[1:]]
            tp = typing.get_args(tp)[0]
        elif typing.get_origin(tp) in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                break
            tp = args[0]
        else:
            break
    return next((m for m in metadata if isinstance(m, PatternHint)), None)


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
    tp, _ = _type_at(model, data, loc)
    tp = _resolve(tp, _value_at(data, loc))
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(tp.model_fields)
    return []


def _value_at(data: Any, loc: Path_) -> Any:
    cur = data
    for part in loc:
        if isinstance(cur, dict):
            cur = cur.get(part)
        elif isinstance(cur, list) and isinstance(part, int) and -len(cur) <= part < len(cur):
            cur = cur[part]
        else:
            return None
    return cur


def _type_at(model: type[BaseModel], data: Any, loc: Path_) -> tuple[Any, list]:
    """The type that validates the value at `loc`, and the field's metadata (pydantic
    keeps a field's own `Annotated` metadata apart from its annotation); None when
    `loc` leads nowhere in the model."""
    tp: Any = model
    metadata: list = []
    for k, part in enumerate(loc):
        tp = _resolve(tp, _value_at(data, loc[:k]))
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            f = tp.model_fields.get(str(part))
            if f is None:
                return None, []
            tp, metadata = f.annotation, list(f.metadata)
            continue
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin in (list, tuple) and args:
            tp = args[0]
        elif origin is dict and len(args) == 2:
            tp = args[1]
        else:
            return None, []
        metadata = []
    return tp, metadata


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
