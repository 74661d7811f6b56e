"""Renamed scenario keys that still read: the old ones are converted, with a warning.

A date was two keys, a year and a month (``esd_from_year = 2027`` and ``esd_from_month = 4``);
it is one key now (``esd_from = "2027-04"``, a ``sim.dates.YearMonth``). Scenario files and
dotted changes (``Scenario.with_changes``: experiment files, the dashboard) that still give the
old pair work as before: the pair becomes the new key, and a :class:`RenamedKeyWarning` names
the file (or the scenario), the old keys and what to write instead. Giving a date both ways, a
month without its year, or a year without its month where no month can be assumed (the bridging
dates and origin periods required both; ``run.start_month`` came from the base file, which a file
is not read with), is an error that names both keys.
"""

from __future__ import annotations

import warnings
from typing import Any

from sim.dates import YearMonth
from sim.schema import ScenarioError, show


class RenamedKeyWarning(FutureWarning):
    """A scenario uses an old key that still reads (a FutureWarning: shown to users by default)."""


#: Table (dotted; ``[*]``: each table of a list) -> (old key without ``_year``/``_month``, new
#: key, the month the old schema took when only the year was given; None: a year alone is refused).
RENAMED_DATES: dict[str, tuple[tuple[str, str, int | None], ...]] = {
    "run": (("start", "start", None),),
    "policy.stay": (("ssw_from", "ssw_from", 4), ("stage_iii_from", "stage_iii_from", 11),
                    ("esd_from", "esd_from", 4), ("care_worker_from", "care_worker_from", 4)),
    "policy.stay.bridging": (("from", "first_month", None), ("renewals_until", "renewals_until", None),
                             ("last_entry", "last_entry", None)),
    "policy.supervision": (("inspections_from", "inspections_from", 11),),
    "behaviour.abscond.origin_periods[*]": (("from", "first_month", None), ("until", "last_month", None)),
}


def _date(year: Any, month: Any) -> dict[str, Any]:
    """The new key's value as a TOML table (validated, with its errors, by ``YearMonth.parse``)."""
    return {"year": year, "month": month}


def _write_instead(key: str, year: Any, month: Any) -> str:
    """What to write instead: ``esd_from = "2027-04" (key 'policy.stay.esd_from')``."""
    date = f"{year:04d}-{month:02d}" if isinstance(year, int) and isinstance(month, int) else "YYYY-MM"
    return f"{key.rpartition('.')[2]} = \"{date}\" (key '{key}')"


def _convert(source: str, values: dict[str, Any], year_key: str, month_key: str, new_key: str,
             year: Any, month: Any) -> dict[str, Any]:
    """The new key's value from an old pair (``values``: the old keys given, dotted), warning once."""
    olds = " and ".join(f"'{k}' = {show(v)}" for k, v in values.items())
    for given, missing, half in ((month_key, year_key, year), (year_key, month_key, month)):
        if half is None:
            raise ScenarioError(f"{source}: key '{given}' = {show(values[given])} without '{missing}': "
                                f"write {_write_instead(new_key, None, None)} (year and month) instead")
    warnings.warn(f"{source}: {olds}: old key(s), still read; write {_write_instead(new_key, year, month)} instead",
                  RenamedKeyWarning, stacklevel=4)
    return _date(year, month)


def _refuse_both(source: str, new_key: str, new_value: Any, old_keys: list[str]) -> None:
    raise ScenarioError(f"{source}: key '{new_key}' = {show(new_value)} and the old key(s) {', '.join(map(repr, old_keys))} "
                        f"give the same date twice: keep '{new_key}' only (allowed: a date \"YYYY-MM\")")


def _tables(data: dict, where: str) -> list[tuple[str, dict]]:
    """The tables at a dotted path of ``data`` (``[*]``: each table of a list), with their dotted names."""
    found: list[tuple[str, Any]] = [("", data)]
    for part in where.split("."):
        key = part.removesuffix("[*]")
        deeper: list[tuple[str, Any]] = []
        for name, table in found:
            value = table.get(key) if isinstance(table, dict) else None
            here = f"{name}.{key}" if name else key
            if part.endswith("[*]") and isinstance(value, list):
                deeper += [(f"{here}[{i}]", item) for i, item in enumerate(value)]
            elif not part.endswith("[*]"):
                deeper.append((here, value))
        found = deeper
    return [(name, table) for name, table in found if isinstance(table, dict)]


def upgrade_file(data: dict, source: str) -> dict:
    """One file's table (before it is merged with its base) with each old date pair turned into
    its new key, in place.

    Raises:
        ScenarioError: the old pair and the new key both given, or an old month without its year
            (or a year without its month, for a date with no default month).
    """
    for where, renames in RENAMED_DATES.items():
        for name, table in _tables(data, where):
            for old, new, default_month in renames:
                keys = [k for k in (f"{old}_year", f"{old}_month") if k in table]
                if not keys:
                    continue
                if new in table:
                    _refuse_both(source, f"{name}.{new}", table[new], [f"{name}.{k}" for k in keys])
                values = {f"{name}.{k}": table.pop(k) for k in keys}
                year = values.get(f"{name}.{old}_year")
                month = values.get(f"{name}.{old}_month", default_month)
                table[new] = _convert(source, values, f"{name}.{old}_year", f"{name}.{old}_month", f"{name}.{new}",
                                      year, month)
    return data


def upgrade_changes(changes: dict[str, Any], current: dict, source: str) -> dict[str, Any]:
    """Dotted changes (``Scenario.with_changes``) with each old date key turned into its new key.

    ``current`` is the scenario's ``model_dump()``: a change of only the year (or only the month)
    keeps the other half of the date the scenario has (a year alone on a date not set takes
    the month the old schema defaulted to).

    Raises:
        ScenarioError: the old key and the new key both changed, or a month alone of a date not set.
    """
    out = dict(changes)
    for where, renames in RENAMED_DATES.items():
        if "[*]" in where:  # a list's tables are changed whole, never by dotted key
            continue
        table = _tables(current, where)
        for old, new, default_month in renames:
            year_key, month_key, new_key = f"{where}.{old}_year", f"{where}.{old}_month", f"{where}.{new}"
            keys = [k for k in (year_key, month_key) if k in out]
            if not keys:
                continue
            if new_key in out:
                _refuse_both(source, new_key, out[new_key], keys)
            now = _date_in(table, new)
            values = {k: out.pop(k) for k in keys}
            year = values.get(year_key, getattr(now, "year", None))
            month = values.get(month_key, getattr(now, "month", default_month))
            out[new_key] = _convert(source, values, year_key, month_key, new_key, year, month)
    return out


def old_date_part(current: dict, dotted: str) -> int | None:
    """The year or month (an old key: ``policy.stay.ssw_from_year``) of a date the scenario
    (``current``: its ``model_dump()``) has; None for any other key or a date not set."""
    where, _, key = dotted.rpartition(".")
    table = _tables(current, where) if where in RENAMED_DATES else []
    for old, new, _default in RENAMED_DATES.get(where, ()):
        for half in ("year", "month"):
            if key == f"{old}_{half}":
                return getattr(_date_in(table, new), half, None)
    return None


def _date_in(tables: list[tuple[str, dict]], key: str) -> YearMonth | None:
    """The date at ``key`` of the first of ``tables`` (a dump: ``"YYYY-MM"``), or None."""
    value = tables[0][1].get(key) if tables else None
    return None if value is None else YearMonth.parse(value)


__all__ = ["RENAMED_DATES", "RenamedKeyWarning", "old_date_part", "upgrade_changes", "upgrade_file"]
