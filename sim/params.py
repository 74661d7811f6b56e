"""Kernel parameters bound by name: one helper fills a parameter tuple from the scenario's sections.

The compiled kernels take their parameters as NamedTuples (``DecisionParams``, ``LadderRules``,
``PayParams`` ...). Copying the values in by position let two parameters of one type be swapped
without any error (only the regression baselines noticed). ``bind`` fills each field from the
scenario key of the same name, so a field *is* its TOML key (``seek_base_monthly``, not
``seek_base``), and it refuses, naming the tuple and the key:

* a field that no section and no named value supplies;
* a key supplied twice (by two sections, or by a section and a named value);
* a key of a section passed whole that no field takes, unless the call lists it in ``unused``
  with the reason (where it is read instead): a key added to a section must be taken by the
  kernel meant to read it or be accounted for.

A section is passed whole (``model.behaviour.abscond``) or in part (``part(world, "repay_share",
...)``: the named keys only, for a large section whose other keys belong to other modules).
Values that are not a key (this month's rules, ``ssw1_open``; a constant) are passed as named
values. A key in years is offered in months by ``in_months``, the one place the units convert,
under a field named after it (``marry_compatriot_per_year`` / 12 as ``marry_compatriot_per_month``,
``marriage_max_age_years`` x 12 as ``marriage_max_age_months``). Each value is cast to the
field's annotated type when that is ``int``, ``float`` or ``bool`` (as the kernels expect); an
``int`` field refuses a value with a fraction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any, NamedTuple, TypeVar, get_args, get_type_hints

import numpy as np
from pydantic import BaseModel

T = TypeVar("T", bound=tuple)


class BindingError(TypeError):
    """A parameter tuple and the values offered for it do not match key for key (a programming error)."""


class Part(NamedTuple):
    """Some keys of a section, bound by name (``part``)."""

    section: BaseModel
    keys: tuple[str, ...]


def part(section: BaseModel, *keys: str) -> Part:
    """The keys ``keys`` of ``section`` only (its other keys are read elsewhere)."""
    unknown = [k for k in keys if k not in type(section).model_fields]
    if unknown:
        raise BindingError(f"{section_path(section)} has no key {', '.join(unknown)}")
    return Part(section, keys)


#: The suffixes of keys in years, each with the suffix of its field in months and the factor.
YEARS_TO_MONTHS = {"_years": ("_months", 12.0), "_year": ("_month", 1 / 12)}


def months_name(key: str) -> tuple[str, float]:
    """The field in months of a key in years (``births_per_couple_year`` -> ``births_per_couple_month``)
    and the factor from the key's unit to the field's (a rate per year / 12, a span in years x 12)."""
    for suffix, (to, factor) in YEARS_TO_MONTHS.items():
        if key.endswith(suffix):
            return key[: -len(suffix)] + to, factor
    raise BindingError(f"{key!r} is not a key in years (no suffix {', '.join(YEARS_TO_MONTHS)})")


def in_months(section: BaseModel, *keys: str) -> dict[str, float]:
    """The keys ``keys`` of ``section`` (rates per year, spans in years) as named values in months,
    each under its ``months_name``: the one place a yearly key becomes a kernel's monthly one."""
    part(section, *keys)  # refuses an unknown key
    out: dict[str, float] = {}
    for key in keys:
        name, factor = months_name(key)
        value = getattr(section, key)
        out[name] = value * 12 if factor > 1 else value / 12.0  # as the kernels had it: / 12.0 is not x (1 / 12)
    return out


@cache
def _section_paths() -> dict[type, str]:
    """Dotted scenario path of each section class (``AbscondConfig`` -> ``behaviour.abscond``)."""
    from sim.scenario import Scenario  # here: sim.scenario need not import this module's users

    paths: dict[type, str] = {}

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            for kind in (info.annotation, *get_args(info.annotation)):
                if isinstance(kind, type) and issubclass(kind, BaseModel) and kind not in paths:
                    paths[kind] = prefix + name
                    walk(kind, prefix + name + ".")

    walk(Scenario, "")
    return paths


def section_path(section: BaseModel) -> str:
    """Where a section sits in a scenario file (``behaviour.abscond``); its class name otherwise."""
    return _section_paths().get(type(section), type(section).__name__)


@cache
def _field_types(tuple_class: type) -> dict[str, Any]:
    return get_type_hints(tuple_class)


def _cast(tuple_class: type, name: str, value: Any) -> Any:
    """``value`` as the field's annotated type (int, float, bool); other types as they are."""
    kind = _field_types(tuple_class).get(name)
    where = f"{tuple_class.__name__}.{name}"
    if kind is bool:
        if not isinstance(value, (bool, np.bool_)):
            raise BindingError(f"{where} is a bool; got {value!r}")
        return bool(value)
    if kind is int:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) or value != int(value):
            raise BindingError(f"{where} is an int; got {value!r}")
        return int(value)
    if kind is float:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise BindingError(f"{where} is a float; got {value!r}")
        return float(value)
    return value


def bind(tuple_class: type[T], *sections: BaseModel | Part, unused: Mapping[str, Iterable[str]] | None = None,
         **named: Any) -> T:
    """A ``tuple_class`` whose every field is taken, by its own name, from the sections or ``named``.

    ``unused`` maps a reason (where the keys are read instead) to keys of the whole sections that
    no field takes. Raises ``BindingError`` on a field nobody supplies, a key supplied twice, a
    key of a whole section that no field takes and ``unused`` does not list, and an ``unused``
    entry that names no such key.
    """
    name = tuple_class.__name__
    fields = set(tuple_class._fields)  # type: ignore[attr-defined]
    supplied: dict[str, Any] = {}
    source: dict[str, str] = {}
    whole_keys: set[str] = set()

    def offer(key: str, value: Any, origin: str) -> None:
        if key in supplied:
            raise BindingError(f"{name}: key {key!r} supplied twice, by {source[key]} and by {origin}")
        supplied[key], source[key] = value, origin

    for section in sections:
        if isinstance(section, Part):
            for key in section.keys:
                offer(key, getattr(section.section, key), section_path(section.section))
            continue
        path = section_path(section)
        for key in type(section).model_fields:
            offer(key, getattr(section, key), path)
            whole_keys.add(key)
    for key, value in named.items():
        offer(key, value, "a named value")

    missing = [f for f in tuple_class._fields if f not in supplied]  # type: ignore[attr-defined]
    if missing:
        raise BindingError(f"{name}: no section or named value supplies {', '.join(missing)}")
    listed = {key for keys in (unused or {}).values() for key in keys}
    stale = sorted(listed - (whole_keys - fields))
    if stale:
        raise BindingError(f"{name}: 'unused' lists {', '.join(stale)}, not an untaken key of a section passed whole")
    extra = [f"{source[k]}.{k}" if source[k] != "a named value" else f"named value {k!r}"
             for k in supplied if k not in fields and k not in listed]
    if extra:
        raise BindingError(f"{name}: no field takes {', '.join(extra)} (list the keys read elsewhere in 'unused', with the reason)")
    return tuple_class(**{f: _cast(tuple_class, f, supplied[f]) for f in tuple_class._fields})  # type: ignore[attr-defined]
