"""Strict, frozen tables read from TOML files, and messages a user can act on.

The machinery under scenario files (``sim.scenario``) and any other file a user writes
(experiments): TOML files that name a ``base`` they override key by key, tables that accept
nothing they were not declared to accept, and every problem turned into a line that names the
file that set the value, the dotted key, the value and what is allowed.

Strict means no coercion: ``true`` is not a number, ``"off"`` is not a boolean, ``"12"`` is not
12, and ``nan`` and ``inf`` are not numbers a setting can hold. A whole number is accepted where
a number is meant (TOML writes ``1`` for one), never the other way round.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
import types
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic.fields import FieldInfo

from sim.dates import YearMonth


class ScenarioError(Exception):
    """A file (or setting) the user gave that cannot be used; the message is meant for them as it stands."""


class Frozen(BaseModel):
    """Base of every table: immutable, strict (no coercion), finite numbers, unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Contradiction(ValueError):
    """Raised by a model validator when settings that are each allowed contradict each other.

    ``values`` maps each key involved (dotted, relative to the table whose validator raises it)
    to its value; the message names every key, its value and the file that set it.
    """

    def __init__(self, message: str, values: dict[str, Any]) -> None:
        super().__init__(message)
        self.message = message
        self.values = values


# ---------------------------------------------------------------------------------------------
# Types that TOML needs: lists for tuples, string keys for years
# ---------------------------------------------------------------------------------------------
def _list_to_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _digit_keys_to_int(value: Any) -> Any:
    """TOML keys are always strings: ``2024 = 1004`` arrives as ``{"2024": 1004}``."""
    if isinstance(value, dict):
        return {int(k) if isinstance(k, str) and re.fullmatch(r"\d{1,6}", k) else k: v for k, v in value.items()}
    return value


#: A TOML list held as a tuple (the tables are frozen); its items stay strict.
AsTuple = BeforeValidator(_list_to_tuple)
#: A TOML table keyed by years (``2024 = ...``): digit keys become whole numbers, nothing else does.
YearKeys = BeforeValidator(_digit_keys_to_int)


# ---------------------------------------------------------------------------------------------
# Files and their bases
# ---------------------------------------------------------------------------------------------
def read_toml(path: Path) -> dict:
    """The TOML table of one file; every failure to read it is a ``ScenarioError`` naming the file."""
    if not path.exists():
        raise ScenarioError(f"{path}: no such file")
    if path.is_dir():
        raise ScenarioError(f"{path}: is a folder, not a file (.toml)")
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot be read: {exc}") from None


def merge(base: dict, override: dict, origin: dict, src: str, leaf_tables: frozenset[str], keys: tuple = ()) -> dict:
    """``base`` with ``override`` applied key by key; ``origin`` records which file set each key.

    Tables merge key by key except those named in ``leaf_tables`` (tables whose keys are data,
    replaced whole).
    """
    out = dict(base)
    for key, value in override.items():
        here = keys + (key,)
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key not in leaf_tables:
            out[key] = merge(out[key], value, origin, src, leaf_tables, here)
        else:
            out[key] = value
            _record(origin, here, value, src)
    return out


def _record(origin: dict, keys: tuple, value: Any, src: str) -> None:
    origin[keys] = src
    if isinstance(value, dict):
        for k, v in value.items():
            _record(origin, keys + (k,), v, src)


#: The longest chain of ``base`` files a scenario may have (the shipped ones use three:
#: history_2017 -> titp -> world). A deeper chain is a mistake, and would end in Python's
#: recursion limit rather than a message.
MAX_BASE_DEPTH = 32


def resolve(
    path: Path,
    origin: dict,
    find_base: Callable[[str, Path], Path],
    leaf_tables: frozenset[str],
    seen: tuple[Path, ...] = (),
    upgrade: Callable[[dict, str], dict] | None = None,
) -> dict:
    """The merged table of ``path`` and its chain of ``base`` files, with ``origin`` filled in.

    ``find_base(name, asking_file)`` turns a ``base`` value into a path or raises a
    ``ScenarioError`` that names the file asking for it. ``upgrade(table, file)``, if given,
    turns each file's renamed keys into the current ones before it is merged.
    """
    path = path.resolve() if path.exists() else path
    if path in seen:
        chain = " -> ".join(p.name for p in (*seen, path))
        raise ScenarioError(f"{seen[-1]}: 'base' files refer to each other in a loop ({chain})")
    if len(seen) >= MAX_BASE_DEPTH:
        raise ScenarioError(f"{seen[0]}: key 'base': a chain of more than {MAX_BASE_DEPTH} base files "
                            f"({seen[0].name} -> {seen[1].name} -> ... -> {path.name}); allowed: at most "
                            f"{MAX_BASE_DEPTH} files, each naming the next as its base")
    data = read_toml(path)
    if upgrade is not None:
        data = upgrade(data, str(path))
    base_name = data.pop("base", None)
    if base_name is None:
        merged: dict = {}
    else:
        if not isinstance(base_name, str):
            raise ScenarioError(f"{path}: key 'base' = {show(base_name)}: allowed: a file name in quotes")
        merged = resolve(find_base(base_name, path), origin, find_base, leaf_tables, seen + (path,), upgrade)
    return merge(merged, data, origin, str(path), leaf_tables)


# ---------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------
def nearest(word: str, choices: Iterable[str]) -> str | None:
    """The valid name closest to a misspelt one (difflib), or None if none is close."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def show(value: Any, limit: int = 60) -> str:
    """A value as the user wrote it (TOML spelling for booleans), cut short: never a whole table."""
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, YearMonth):
        text = repr(str(value))
    elif isinstance(value, float) and not math.isfinite(value):
        text = "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    else:
        text = repr(value)
    return text if len(text) <= limit else text[:limit] + " ..."


def _unwrap(ann: Any) -> tuple[Any, list, bool]:
    """(type, constraints, optional) of an annotation: Annotated and ``| None`` peeled off."""
    constraints: list = []
    optional = False
    while True:
        if get_origin(ann) is Annotated:
            ann, *extra = get_args(ann)
            for m in extra:
                constraints.extend(m.metadata if isinstance(m, FieldInfo) else [m])
        elif get_origin(ann) in (Union, types.UnionType):
            members = [a for a in get_args(ann) if a is not type(None)]
            optional = optional or len(members) < len(get_args(ann))
            if len(members) != 1:
                return ann, constraints, optional
            ann = members[0]
        else:
            return ann, constraints, optional


def _field_annotation(model: type[BaseModel], name: str) -> Any:
    info = model.model_fields.get(name)
    if info is None:
        return None
    return Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation


def annotation_at(model: type[BaseModel], loc: tuple) -> Any:
    """The declared type at a pydantic error location (dotted path, list index or ``[key]``)."""
    want_key = bool(loc) and loc[-1] == "[key]"
    parts = loc[:-2] if want_key else loc
    ann: Any = model
    for part in parts:
        inner, _, _ = _unwrap(ann)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            ann = _field_annotation(inner, str(part))
        elif get_origin(inner) is dict:
            ann = get_args(inner)[1]
        elif get_origin(inner) in (tuple, list):
            ann = get_args(inner)[0]
        else:
            return None
        if ann is None:
            return None
    if want_key:
        inner, _, _ = _unwrap(ann)
        return get_args(inner)[0] if get_origin(inner) is dict else None
    return ann


def dotted(model: type[BaseModel], loc: tuple) -> str:
    """A pydantic location as the user would write it: ``policy.transfer.requires_tests[0]``."""
    out = ""
    for i, part in enumerate(loc):
        if part == "[key]":
            continue
        inner, _, _ = _unwrap(annotation_at(model, loc[:i]))
        out += f"[{part}]" if get_origin(inner) in (tuple, list) else f".{part}"
    return out.lstrip(".") or "(top level)"


def _number(x: float) -> str:
    if float(x).is_integer() and abs(x) >= 10_000:
        return f"{int(x):,}"
    return f"{int(x)}" if float(x).is_integer() else f"{x:g}"


def _bounds(constraints: list) -> str:
    lo = hi = ""
    for c in constraints:
        for attr, word in (("ge", "at least"), ("gt", "greater than"), ("le", "at most"), ("lt", "less than")):
            v = getattr(c, attr, None)
            if v is not None:
                text = f"{word} {_number(v)}"
                if attr in ("ge", "gt"):
                    lo = text
                else:
                    hi = text
    if lo.startswith("at least") and hi.startswith("at most"):
        return f"from {lo[9:]} to {hi[8:]}"
    return " and ".join(t for t in (lo, hi) if t)


def _lengths(constraints: list) -> str:
    lo = next((c.min_length for c in constraints if getattr(c, "min_length", None)), None)
    hi = next((c.max_length for c in constraints if getattr(c, "max_length", None)), None)
    if lo and hi:
        return f"{lo} to {hi} items"
    return f"at least {lo} item(s)" if lo else (f"at most {hi} items" if hi else "")


#: Choices of a Literal listed in an error message; a longer list shows this many and the count.
MAX_CHOICES_SHOWN = 8


def allowed(ann: Any) -> str:
    """What a declared type allows, in words: 'a number from 0 to 1', "one of 'a', 'b'", ..."""
    base, constraints, optional = _unwrap(ann)
    tail = " (or leave the key out for none)" if optional else ""
    origin = get_origin(base)
    if base is Any:
        return "any value" + tail
    if origin in (Union, types.UnionType):  # one of several types: each in words, never Python's notation
        return " or ".join(allowed(arm) for arm in get_args(base) if arm is not type(None)) + tail
    if origin is Literal:
        choices = get_args(base)
        if len(choices) > MAX_CHOICES_SHOWN:  # a long list (the real fields) would not fit one short line
            return f"one of {len(choices)} names, e.g. " + ", ".join(repr(a) for a in choices[:MAX_CHOICES_SHOWN]) + ", ..." + tail
        return "one of " + ", ".join(repr(a) for a in choices) + tail
    if base is bool:
        return "true or false (without quotes)" + tail
    if base is YearMonth:
        return YearMonth.ALLOWED + tail
    if base is int or base is float:
        what = "a whole number" if base is int else "a number"
        bounds = _bounds(constraints)
        return f"{what} {bounds}".strip() + tail
    if base is str:
        return "text in quotes" + tail
    if origin in (tuple, list):
        lengths = _lengths(constraints)
        return f"a list{' of ' + lengths if lengths else ''}, each {allowed(get_args(base)[0])}" + tail
    if origin is dict:
        key_t, value_t = get_args(base)
        return f"a table: keys {allowed(key_t)}, values {allowed(value_t)}" + tail
    if isinstance(base, type) and issubclass(base, BaseModel):
        return "a table with the keys " + ", ".join(base.model_fields) + tail
    return "a value of another kind" + tail  # never Python's name of a type


def _wrong_type(value: Any) -> str:
    """What is wrong with a value of the wrong type, in words."""
    if isinstance(value, float) and not math.isfinite(value):
        return "not a finite number"
    if isinstance(value, float) and value.is_integer():
        return f"a decimal where a whole number is needed (write {int(value)})"
    kinds = ((bool, "true/false"), (str, "text in quotes"), (dict, "a table"), (list | tuple, "a list"),
             (float, "a number with a fraction"), (int, "a number"))
    kind = next((k for t, k in kinds if isinstance(value, t)), type(value).__name__)
    return f"wrong type ({kind})"


def source_of(origin: dict, loc: tuple, fallback: str) -> str:
    """The file that set the value at ``loc`` (or the deepest table above it that a file set)."""
    for i in range(len(loc), 0, -1):
        if loc[:i] in origin:
            return origin[loc[:i]]
    return fallback


def describe_error(err: dict, model: type[BaseModel], origin: dict, fallback: str, extra_top_keys: tuple = ()) -> str:
    """One pydantic error as one or two lines: file that set it, dotted key, value, what is allowed.

    ``origin`` maps key paths to the file that set them (``merge``); ``fallback`` names the
    source when no file did (the file being loaded, or 'scenario NAME' for changes made in
    code); ``extra_top_keys`` are top-level keys that are valid but not fields (``base``).
    """
    loc = tuple(p for p in err["loc"])
    path = tuple(str(p) for p in loc if p != "[key]")
    key = dotted(model, loc)
    kind = err["type"]
    ctx = err.get("ctx") or {}
    error = ctx.get("error")
    if kind == "value_error" and isinstance(error, Contradiction):
        return _describe_contradiction(error, path, origin, fallback)
    src = source_of(origin, tuple(str(p) for p in loc), fallback)
    if kind == "missing":
        return f"{fallback}: key '{key}' is missing: set it in this file or in its base file; allowed: {allowed(annotation_at(model, loc))}"
    if kind == "extra_forbidden":
        parent = annotation_at(model, loc[:-1])
        inner, _, _ = _unwrap(parent)
        names = list(inner.model_fields) if isinstance(inner, type) and issubclass(inner, BaseModel) else []
        if not loc[:-1]:
            names += list(extra_top_keys)
        guess = nearest(str(loc[-1]), names)
        hint = f"did you mean '{'.'.join((*path[:-1], guess))}'?" if guess else f"the keys here are: {', '.join(names)}"
        return f"{src}: unknown key '{key}' = {show(err['input'])}: not a setting; {hint}"
    ann = annotation_at(model, loc)
    what = allowed(ann) if ann is not None else None
    value = show(err["input"])
    hint = ""
    if kind.endswith("_type") or kind in ("int_from_float", "finite_number", "bool_parsing", "int_parsing", "float_parsing"):
        problem = _wrong_type(err["input"])
    elif kind.startswith("literal") or kind == "enum":
        guess = nearest(str(err["input"]), re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
        problem = "not one of the choices"
        hint = f"; did you mean {guess!r}?" if guess else ""
    elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal", "too_short", "too_long"):
        problem = "out of range"
    else:  # a validator's own message (e.g. shares that do not add up to 1)
        problem = re.sub(r"^(Value error|Assertion failed), ", "", err["msg"])
    if kind == "value_error" or what is None:
        return f"{src}: key '{key}' = {value}: {problem}"
    return f"{src}: key '{key}' = {value}: {problem}; allowed: {what}{hint}"


def _describe_contradiction(error: Contradiction, at: tuple, origin: dict, fallback: str) -> str:
    parts = []
    first_src = None
    for dotted, value in error.values.items():
        full = (*at, *dotted.split("."))
        src = source_of(origin, full, fallback)
        if first_src is None:
            first_src = src
            parts.append(f"key '{'.'.join(full)}' = {show(value)}")
        else:
            where = "" if src == first_src else f" (set in {src})"
            parts.append(f"key '{'.'.join(full)}' = {show(value)}{where}")
    return f"{first_src}: {' contradicts '.join(parts[:2])}{''.join(', and ' + p for p in parts[2:])}: {error.message}"


def describe_errors(
    exc: ValidationError, model: type[BaseModel], origin: dict, fallback: str, extra_top_keys: tuple = ()
) -> str:
    """Every error of a failed validation, one line each (see ``describe_error``); a value that
    fits none of the types a key allows is one line, not one per type."""
    lines: list[str] = []
    for err in exc.errors():
        line = describe_error(_without_union_tags(err, model), model, origin, fallback, extra_top_keys)
        if line not in lines:
            lines.append(line)
    return "\n".join(lines)


def _without_union_tags(err: dict, model: type[BaseModel]) -> dict:
    """The error with pydantic's names of a union's members (``str``, ``dict[str,str]``) taken
    out of its location: they are Python's notation, not keys a user wrote."""
    loc: list = []
    tagged = -1  # the length of ``loc`` at the last member's name taken out (one a union)
    for part in err["loc"]:
        inner, _, _ = _unwrap(annotation_at(model, tuple(loc)))
        if get_origin(inner) in (Union, types.UnionType) and isinstance(part, str) and tagged != len(loc):
            tagged = len(loc)
            continue
        loc.append(part)
    return {**err, "loc": tuple(loc)}


__all__ = [
    "AsTuple", "Contradiction", "Frozen", "ScenarioError", "YearKeys", "allowed", "annotation_at", "describe_error",
    "describe_errors", "merge", "nearest", "read_toml", "resolve", "show", "source_of",
]
