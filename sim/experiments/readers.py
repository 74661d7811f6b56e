"""Reading a store back: its verified runs, their tables and their headline outcomes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.store import Fault, Store, run_file


@dataclass
class StoredRuns:
    """The verified runs of a store: their records, and the runs that could not be used."""

    records: list[dict[str, Any]]
    problems: list[Fault]
    description: dict[str, Any]
    root: Path

    def path(self, record: dict[str, Any], group: str | None = None) -> Path:
        return self.root / "runs" / run_file(record["run_id"], group)


def verified_runs(out: str | Path) -> StoredRuns:
    """The runs of the store's experiment whose files match the manifest (checked now).

    Runs of the experiment not finished, failed or damaged are listed in ``problems`` and never
    read; records of runs that are not part of the experiment (an earlier design) are ignored.
    """
    store = Store(out)
    description = store.description()
    records = store.records()
    ok, problems, missing = [], [], 0
    for expected in description.get("runs", []):
        rec = records.get(expected["run_id"])
        reason = store.fault(expected["run_id"], rec, expected["settings_hash"])
        if reason is None:
            ok.append(rec)
        elif reason == "not run yet":
            missing += 1
        else:
            problems.append(Fault(expected["run_id"], reason))
    if missing:
        problems.append(Fault("(not run)", f"{missing} run(s) of the experiment have not run yet"))
    return StoredRuns(ok, problems, description, store.root)


def read_runs(out: str | Path, group: str | None = None) -> pd.DataFrame:
    """Every verified run's monthly table (or by-group table), concatenated, in design order."""
    stored = verified_runs(out)
    tables = [pd.read_parquet(stored.path(r, group)) for r in stored.records]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()


def outcomes(out: str | Path) -> pd.DataFrame:
    """One row per verified run: its parameters, its arm and its headline outcomes (``sim.summary``)."""
    from sim.report import run_outcomes

    return run_outcomes(verified_runs(out), keep_tables=False)[0]


def run_provenance(out: str | Path) -> list[dict[str, Any]]:
    """Where the verified runs of a store come from: one entry per distinct provenance (code
    version, libraries, command, machine; ``fingerprint.provenance``) and worker library versions,
    with ``runs`` (how many), ``hosts`` (the workers' host names) and ``provenance`` and ``versions``
    as recorded (None for runs recorded before provenance was). Most stores have one entry; a
    store finished by another command, on another machine or with other code has more."""
    groups: dict[str, dict[str, Any]] = {}
    for record in verified_runs(out).records:
        origin, worker = record.get("provenance"), record.get("versions")
        key = json.dumps([origin, worker], sort_keys=True)
        entry = groups.setdefault(key, {"runs": 0, "hosts": [], "provenance": origin, "versions": worker})
        entry["runs"] += 1
        if record.get("host") and record["host"] not in entry["hosts"]:
            entry["hosts"].append(record["host"])
    return list(groups.values())
