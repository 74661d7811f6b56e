"""Checkpoints: the state of a run at the end of a month, saved and loaded (issue 19 item 2).

A projection can start from the state a history run reaches (``run.start_from =
"history-2024-12"``: the shipped ``history_2017`` scenario run to December 2024 with the same seed
and scale) rather than from a stock placed "as if the rules had always applied". Everything that
lasts from month to month is on the ledger (``sim.ledger.Ledger``: people, firms, bodies, offers,
the arrivals' carried fractions and recruits on their way, the SSW i cohort record) or is the ties
between firms; a checkpoint saves exactly that, so a run loaded at month m and continued equals the
run continued without stopping, to the bit (``tests/test_checkpoint.py``). The random streams are
derived from the seed and the model month (``LabourMarket.rng_for``), so the month numbering goes
on from the checkpoint; the states of Mesa's own generators (``model.random``, ``model.rng``, read
only by the network space) are saved too.

On disk a checkpoint is two files: ``NAME.npz`` (the arrays, and the scalars as one JSON string)
and ``NAME.json`` (the manifest: format version, the code fingerprint, the hash of the scenario
settings it was made with, seed, scale, month and calendar month, and the sha256 of the ``.npz``).
Loading refuses, in one line naming the file (``CheckpointError``, exit 2 on the command line), a
checkpoint of another format version, made by other code, made with other settings than expected,
or damaged (the checksum).

What the policy decides about firms and bodies when they are built (``POLICY_DERIVED``: the
waiting periods, intake caps, the bodies' officers, auditors, independence and thoroughness) is
taken from the loading run's policy, as a run built from scratch under it would have them; the rest
of the world (firms' places, fields, staff, wages, compliance, inspections; every person) is the
checkpoint's. Behaviour and policy settings of the loading scenario apply from the first month
after the checkpoint. Checkpoints built for ``start_from`` are cached under the user's cache folder
(``$TENSEKI_CACHE_DIR``, else ``$XDG_CACHE_HOME/tenseki/checkpoints`` or
``~/.cache/tenseki/checkpoints``), named by the hash of the code, the history settings, seed and
scale, and built on first use (a few seconds at scale 0.01).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.dates import YearMonth
from sim.population import FIRM_COLUMNS, PEOPLE_COLUMNS
from sim.schema import ScenarioError

if TYPE_CHECKING:
    from sim.model import LabourMarket
    from sim.scenario import Scenario

#: Version of the files' layout; a checkpoint of another version is refused.
CHECKPOINT_VERSION = 1
#: What the manifest's ``format`` says.
CHECKPOINT_FORMAT = "tenseki-checkpoint"
#: The shipped scenario a ``start_from = "history-YYYY-MM"`` checkpoint is made with.
HISTORY_SCENARIO = "history_2017"
#: ``run.start_from`` for a run built from the initial stock (``sim.world``), as with no value.
START_FROM_STOCK = "stock"
#: ``run.start_from``: the history run's state at the end of a calendar month.
START_FROM_PATTERN = re.compile(r"^history-(\d{4})-(\d{2})$")
#: Columns the policy decides when the world is built: taken from the loading run's own build.
POLICY_DERIVED = {
    "firms": ("waiting_months", "intake_cap_per_year"),
    "bodies": ("tied_officers", "external_auditor", "independence", "thoroughness"),
}
#: Attributes of ``People`` kept as scalars (the columns are ``PEOPLE_COLUMNS`` and ``contacts``).
_PEOPLE_SCALARS = ("n", "next_pid", "archived_returned", "archived_removed", "archived_naturalised", "archived_died")
#: The model's ties between firms (``sim.world.build_network``).
_NETWORK = ("firm_nbr_ptr", "firm_nbr", "_firm_edges")


class CheckpointError(ScenarioError):
    """A checkpoint that cannot be used: missing, damaged, of another version, code or settings."""


def settings_hash(scenario: Scenario) -> str:
    """sha256 of a scenario's settings (every key, as JSON with sorted keys)."""
    return hashlib.sha256(json.dumps(scenario.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


def _code() -> str:
    from sim.experiments.fingerprint import code_fingerprint

    return code_fingerprint()


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _paths(path: str | Path) -> tuple[Path, Path]:
    """(manifest .json, arrays .npz) of a checkpoint named by either file or their common stem."""
    path = Path(path)
    stem = path.with_suffix("") if path.suffix in (".json", ".npz") else path
    return stem.with_name(stem.name + ".json"), stem.with_name(stem.name + ".npz")


# =============================================================================================
# Saving
# =============================================================================================
def save_checkpoint(model: LabourMarket, path: str | Path) -> Path:
    """Save the state of ``model`` at the end of its current month; returns the manifest's path.

    The files are written under temporary names and renamed, so a reader never sees half a checkpoint."""
    manifest_path, arrays_path = _paths(path)
    led, p = model.ledger, model.people
    arrays: dict[str, np.ndarray] = {f"people.{c}": p.view(c) for c in PEOPLE_COLUMNS}
    arrays["people.contacts"] = p.contacts[: p.n]
    arrays["people.row_of_pid"] = p.row_of_pid
    arrays.update({f"firms.{c}": getattr(model.firms, c) for c in FIRM_COLUMNS})
    arrays.update({f"bodies.{k}": v for k, v in vars(model.bodies).items() if isinstance(v, np.ndarray)})
    arrays.update({f"network.{k}": getattr(model, k) for k in _NETWORK})
    arrays.update({"ledger.ssw1_changed_by_entry": led.ssw1_changed_by_entry, "ledger.base_pay_yen": led.base_pay_yen,
                   "ledger.offer_yen": led.offer_yen})
    arrays.update({f"recruits.{month}": rows for month, rows in led.recruits_ordered.items()})
    version, mt_state, gauss = model.random.getstate()
    scalars = {
        "people": {k: getattr(p, k) for k in _PEOPLE_SCALARS},
        "archived_arrivals": {str(k): v for k, v in p.archived_arrivals.items()},
        "month": led.month, "transfer_batches": led.transfer_batches, "intake_carry": led.intake_carry,
        "first_month": model.first_month, "calendar": str(model.month_one + (led.month - 1)),
        "random": [version, list(mt_state), gauss], "rng": model.rng.bit_generator.state,
    }
    arrays["scalars"] = np.frombuffer(json.dumps(scalars).encode(), dtype=np.uint8)
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkstemp(dir=manifest_path.parent, prefix=".tmp-", suffix=".npz")[1])
    np.savez_compressed(tmp, **arrays)
    manifest = {
        "format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION, "code": _code(),
        "scenario": model.scenario.name, "settings_sha256": settings_hash(model.scenario),
        "seed": model.seed, "scale": model.scale, "month": led.month, "calendar": scalars["calendar"],
        "arrays_sha256": _sha256_file(tmp),
    }
    os.replace(tmp, arrays_path)
    tmp_manifest = manifest_path.with_name(f".tmp-{os.getpid()}-{manifest_path.name}")
    tmp_manifest.write_text(json.dumps(manifest, indent=1) + "\n")
    os.replace(tmp_manifest, manifest_path)
    return manifest_path


# =============================================================================================
# Reading and checking
# =============================================================================================
def read_manifest(path: str | Path, expect_settings: str | None = None, seed: int | None = None,
                  scale: float | None = None) -> dict[str, Any]:
    """The manifest of a checkpoint after every check (``CheckpointError`` naming the file otherwise):
    format and version, code, the arrays' checksum, and where given the settings hash, seed and scale."""
    manifest_path, arrays_path = _paths(path)
    where = f"checkpoint {manifest_path}"
    try:
        manifest = json.loads(manifest_path.read_text())
    except FileNotFoundError:
        raise CheckpointError(f"{where}: not found") from None
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"{where}: damaged manifest ({exc}); delete it to rebuild") from None
    if not isinstance(manifest, dict) or manifest.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{where}: not a tenseki checkpoint (format {manifest.get('format') if isinstance(manifest, dict) else None!r})")
    if manifest.get("version") != CHECKPOINT_VERSION:
        raise CheckpointError(f"{where}: format version {manifest.get('version')!r}, this code reads version "
                              f"{CHECKPOINT_VERSION}; delete it to rebuild")
    code = _code()
    if manifest.get("code") != code:
        raise CheckpointError(f"{where}: made by other code ({str(manifest.get('code'))[:12]}, this is {code[:12]}); "
                              "delete it to rebuild")
    for key, want in (("settings_sha256", expect_settings), ("seed", seed), ("scale", scale)):
        if want is not None and manifest.get(key) != want:
            raise CheckpointError(f"{where}: made with {key} {manifest.get(key)!r} (scenario {manifest.get('scenario')!r}), "
                                  f"expected {want!r}")
    try:
        actual = _sha256_file(arrays_path)
    except FileNotFoundError:
        raise CheckpointError(f"{where}: its arrays {arrays_path.name} are missing") from None
    if actual != manifest.get("arrays_sha256"):
        raise CheckpointError(f"{where}: damaged: sha256 of {arrays_path.name} is {actual[:12]}, the manifest says "
                              f"{str(manifest.get('arrays_sha256'))[:12]}; delete it to rebuild")
    return manifest


def restore(model: LabourMarket, path: str | Path, manifest: dict[str, Any] | None = None) -> None:
    """Put the checkpoint's state on ``model`` (just built by ``build_ledger``/``build_network``, not
    populated): the month numbering goes on from the checkpoint's, month 0 of the tables is its state.

    Refused: a checkpoint that fails ``read_manifest``, one of another scale or seed, or a scenario
    whose ``run.start`` is not the month after the checkpoint's."""
    manifest = manifest or read_manifest(path, seed=model.seed, scale=model.scale)
    where = f"checkpoint {_paths(path)[0]}"
    after = YearMonth.parse(manifest["calendar"]) + 1
    if model.scenario.run.start != after:
        raise CheckpointError(f"{where}: its state is at the end of {manifest['calendar']}, so run.start must be "
                              f"\"{after}\", not \"{model.scenario.run.start}\"")
    with np.load(_paths(path)[1]) as data:
        arrays = {k: data[k] for k in data.files}
    scalars = json.loads(arrays.pop("scalars").tobytes())
    for table, key in (("firms", "world.firms"), ("bodies", "world.supervisory_bodies")):
        saved = len(arrays[f"{table}.{'pref'}"])
        if saved != getattr(model, table).n:
            raise CheckpointError(f"{where}: has {saved} {table}, the scenario builds {getattr(model, table).n} "
                                  f"({key} or run.scale differ from the run it was made with)")
    led, p = model.ledger, model.people
    n = scalars["people"]["n"]
    if p.capacity < n + 16:
        p._alloc(n + 16)
    for c in PEOPLE_COLUMNS:
        getattr(p, c)[:n] = arrays[f"people.{c}"]
    p.contacts[:n] = arrays["people.contacts"]
    for k, v in scalars["people"].items():
        setattr(p, k, v)
    row_of_pid = arrays["people.row_of_pid"]
    p._row_of_pid = np.full(max(len(row_of_pid), 16), -1, dtype=np.int64)
    p._row_of_pid[: len(row_of_pid)] = row_of_pid
    p.archived_arrivals = {int(k): v for k, v in scalars["archived_arrivals"].items()}
    fresh = {"firms": {c: getattr(model.firms, c).copy() for c in POLICY_DERIVED["firms"]},
             "bodies": {c: getattr(model.bodies, c).copy() for c in POLICY_DERIVED["bodies"]}}
    for c in FIRM_COLUMNS:
        setattr(model.firms, c, arrays[f"firms.{c}"].copy())
    for k in [k for k in arrays if k.startswith("bodies.")]:
        setattr(model.bodies, k.split(".", 1)[1], arrays[k].copy())
    for table, columns in fresh.items():
        for c, values in columns.items():
            setattr(getattr(model, table), c, values)
    np.maximum(model.firms.markup, model.scenario.policy.wages.wage_floor_markup, out=model.firms.markup)
    for k in _NETWORK:
        setattr(model, k, arrays[f"network.{k}"].copy())
    led.ssw1_changed_by_entry = arrays["ledger.ssw1_changed_by_entry"].copy()
    led.set_offers(arrays["ledger.base_pay_yen"].copy(), arrays["ledger.offer_yen"].copy())
    led.recruits_ordered = {int(k.split(".", 1)[1]): v for k, v in arrays.items() if k.startswith("recruits.")}
    led.month = scalars["month"]
    led.transfer_batches = scalars["transfer_batches"]
    led.intake_carry = dict(scalars["intake_carry"])
    led.flows.clear()
    led.group_flows.clear()
    version, mt_state, gauss = scalars["random"]
    model.random.setstate((version, tuple(mt_state), gauss))
    model.rng.bit_generator.state = scalars["rng"]
    model.first_month = led.month


# =============================================================================================
# start_from: the history run's state, built on first use and cached
# =============================================================================================
def parse_start_from(value: str) -> YearMonth | None:
    """The calendar month of ``run.start_from = "history-YYYY-MM"``; None for ``"stock"`` (the
    initial stock placed by ``sim.world``); ValueError for another form."""
    if value == START_FROM_STOCK:
        return None
    match = START_FROM_PATTERN.match(value)
    if not match:
        raise ValueError(f'{value!r} is neither "history-YYYY-MM" (the history run\'s state at the end of that month) '
                         f'nor "{START_FROM_STOCK}" (the initial stock)')
    return YearMonth(int(match.group(1)), int(match.group(2)))


def cache_dir() -> Path:
    """Where checkpoints for ``start_from`` are kept: ``$TENSEKI_CACHE_DIR``, else the user's cache
    folder, else (not writable: a read-only home) a private folder in the temp folder."""
    given = os.environ.get("TENSEKI_CACHE_DIR")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "tenseki" / "checkpoints"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if os.access(folder, os.W_OK):
            return folder
    except OSError:
        pass
    uid = os.getuid() if hasattr(os, "getuid") else os.getpid()
    return Path(tempfile.gettempdir()) / f"tenseki-checkpoints-{uid}"


def history_for(scale: float) -> Scenario:
    """The shipped history scenario at ``scale`` (what a ``start_from`` checkpoint is made with)."""
    from sim.scenario import load_scenario

    return load_scenario(HISTORY_SCENARIO).with_run(scale=scale)


def start_checkpoint(scenario: Scenario, seed: int) -> tuple[Path, dict[str, Any]]:
    """The checkpoint ``scenario.run.start_from`` names for ``seed`` (built and cached on first use),
    checked (``read_manifest``), and its manifest."""
    from sim.model import LabourMarket

    at = parse_start_from(scenario.run.start_from)
    history = history_for(scenario.run.scale)
    months = at.months_since(history.run.start) + 1
    if not 1 <= months <= history.run.months:
        last = history.run.start + (history.run.months - 1)
        raise CheckpointError(f"scenario {scenario.name!r}: run.start_from = {scenario.run.start_from!r}: the history run "
                              f"covers {history.run.start} to {last}")
    expect = settings_hash(history)
    key = hashlib.sha256(f"{_code()} {expect} {seed} {months}".encode()).hexdigest()[:20]
    path = cache_dir() / f"{scenario.run.start_from}-seed{seed}-scale{scenario.run.scale:g}-{key}"
    if not _paths(path)[0].exists():
        save_checkpoint(LabourMarket(history, seed=seed).run(months), path)
    return path, read_manifest(path, expect_settings=expect, seed=seed, scale=scenario.run.scale)
