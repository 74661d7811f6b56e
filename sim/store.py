"""The run store of an experiment: one Parquet file a run, a manifest, a lock (docs/design.md §8).

A store is a folder::

    DIR/experiment.json     the experiment as run (name, design, settings); written once
    DIR/manifest.jsonl      one JSON record a line per finished or failed run (the last line
                            for a run wins): parameters, seed, settings hash, status, error,
                            SHA-256 and size of each file, versions of the libraries
    DIR/runs/<run_id>.parquet              the run's monthly table, parameters as columns
    DIR/runs/<run_id>.by_<group>.parquet   its by-group tables, when the experiment asks
    DIR/.lock               held while a sweep writes (PID, host, start time)

Why a store that never lies: a run is reused only when its manifest record says it finished
with the settings asked for now *and* every one of its files is present with the recorded size
and checksum. Anything else (no record, a failed run, changed settings, a file missing,
emptied, truncated, edited or corrupted) is reported and the run is done again; nothing is
read from a file that does not match. Files are written whole or not at all (a temporary name,
then ``os.replace``), and the record is appended only after its files are in place, so a sweep
killed at any instant leaves a store the next sweep can finish. The manifest is rewritten
(compacted, atomically) at the start of each sweep, which also drops a last line cut short by
a kill.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST = "manifest.jsonl"
EXPERIMENT = "experiment.json"
LOCK = ".lock"
RUNS = "runs"


class StoreError(Exception):
    """A store that cannot be used as asked (locked, holds another experiment, unwritable)."""


@dataclass(frozen=True)
class Fault:
    """Why a run found in the store is not reused (shown to the user, then the run is redone)."""

    run_id: str
    reason: str


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (``runner.write_atomic``: a failed write
    leaves no ``.part`` file and its error names ``path``; a killed process leaves the old file
    or none, and ``compact`` removes what a kill left).

    No fsync: a power cut could still leave a file short or empty, but the checksum in the
    manifest catches that and the run is redone, so durability costs no flush per run."""
    from sim.runner import write_atomic as write_whole

    write_whole(path, lambda tmp: tmp.write_bytes(data))


def run_file(run_id: str, group: str | None = None) -> str:
    """The file name of a run's table (``group``: a by-group table), relative to ``runs/``."""
    return f"{run_id}.parquet" if group is None else f"{run_id}.by_{group}.parquet"


class Store:
    """The folder of one experiment's runs. Use ``with store.locked():`` around any writing."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.runs_dir = self.root / RUNS
        self.manifest_path = self.root / MANIFEST
        self.lock_path = self.root / LOCK
        self.skipped_lines: list[int] = []

    # -- the lock -------------------------------------------------------------------------
    @contextmanager
    def locked(self) -> Iterator[list[str]]:
        """Hold the store's lock; yields notes (e.g. a stale lock that was removed).

        Raises:
            StoreError: another live process holds it (its PID and start time are named).
        """
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"{self.root}: exists and is not a folder")
        try:
            self.runs_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.root}: cannot write: {exc.strerror or exc}") from None
        notes: list[str] = []
        me = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
              "process_start": _process_start(os.getpid())}
        for _attempt in range(2):
            try:
                fd = os.open(self.lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self._read_lock()
                if holder.get("host") not in (None, socket.gethostname()):
                    raise StoreError(
                        f"{self.root}: locked by PID {holder.get('pid')} on host {holder.get('host')}, which "
                        f"cannot be checked from here; if no sweep is running there, delete {self.lock_path}"
                    ) from None
                if _alive(holder):
                    raise StoreError(
                        f"{self.root}: another sweep is writing here (PID {holder.get('pid')}, since "
                        f"{holder.get('started')}); wait for it to finish, stop it, or give another --out"
                    ) from None
                notes.append(
                    f"removed a stale lock left by PID {holder.get('pid')} (started {holder.get('started')}, "
                    f"no longer running)"
                )
                self.lock_path.unlink(missing_ok=True)
                continue
            with os.fdopen(fd, "w") as fh:
                json.dump(me, fh)
            break
        else:  # pragma: no cover - two stale-lock removals raced and both lost
            raise StoreError(f"{self.root}: could not take the lock {self.lock_path}; try again")
        try:
            yield notes
        finally:
            try:
                if self._read_lock().get("pid") == os.getpid():
                    self.lock_path.unlink(missing_ok=True)
            except OSError:
                pass

    def _read_lock(self) -> dict[str, Any]:
        try:
            data = json.loads(self.lock_path.read_text())
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}  # unreadable or half-written: treated as stale (no live PID in it)

    # -- the experiment --------------------------------------------------------------------
    def claim(self, description: dict[str, Any]) -> None:
        """Record which experiment this store holds; refuse a store that holds another one."""
        path = self.root / EXPERIMENT
        if path.exists():
            try:
                held = json.loads(path.read_text())
            except (OSError, ValueError):
                held = {}
            if held.get("name") not in (None, description["name"]):
                raise StoreError(
                    f"{self.root}: holds the runs of experiment {held.get('name')!r}, not "
                    f"{description['name']!r}; give another --out"
                )
        write_atomic(path, (json.dumps(description, indent=2, sort_keys=True, default=str) + "\n").encode())

    def description(self) -> dict[str, Any]:
        """The experiment the store holds (``experiment.json``)."""
        path = self.root / EXPERIMENT
        try:
            return json.loads(path.read_text())
        except FileNotFoundError:
            raise StoreError(f"{self.root}: no experiment here (no {EXPERIMENT}); run 'tenseki sweep' first") from None
        except (OSError, ValueError) as exc:
            raise StoreError(f"{path}: unreadable ({exc}); run the sweep again to rewrite it") from None

    # -- the manifest ----------------------------------------------------------------------
    def records(self) -> dict[str, dict[str, Any]]:
        """The latest manifest record of each run; lines that do not parse are skipped
        (their numbers in ``skipped_lines``): a kill can cut the last line short."""
        self.skipped_lines = []
        out: dict[str, dict[str, Any]] = {}
        try:
            text = self.manifest_path.read_text(errors="replace")
        except FileNotFoundError:
            return out
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                self.skipped_lines.append(number)
                continue
            if isinstance(record, dict) and isinstance(record.get("run_id"), str):
                out[record["run_id"]] = record
            else:
                self.skipped_lines.append(number)
        return out

    def compact(self) -> dict[str, dict[str, Any]]:
        """Rewrite the manifest with one record a run (atomically) and remove temporary files
        a killed sweep left (the caller holds the lock); returns the records."""
        for leftover in self.runs_dir.glob("*.part"):
            leftover.unlink(missing_ok=True)
        records = self.records()
        body = "".join(json.dumps(r, sort_keys=True) + "\n" for r in records.values())
        write_atomic(self.manifest_path, body.encode())
        return records

    def append(self, record: dict[str, Any]) -> None:
        """Add one record (one line, handed to the OS before returning: a killed process keeps it)."""
        line = json.dumps(record, sort_keys=True) + "\n"
        with self.manifest_path.open("a") as fh:
            fh.write(line)

    # -- run files ---------------------------------------------------------------------------
    def save(self, run_id: str, files: dict[str | None, bytes]) -> dict[str, dict[str, Any]]:
        """Write a run's files (key None: the national table; else a group) atomically.

        Returns the ``files`` entry of its manifest record: name -> {"sha256", "bytes"}.
        """
        entry: dict[str, dict[str, Any]] = {}
        for group, data in files.items():
            name = run_file(run_id, group)
            write_atomic(self.runs_dir / name, data)
            entry[name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        return entry

    def fault(self, run_id: str, record: dict[str, Any] | None, settings_hash: str) -> str | None:
        """Why the stored run cannot be reused (None: it can). Reads only sizes and checksums."""
        if record is None:
            if (self.runs_dir / run_file(run_id)).exists():
                return "its file has no manifest record (a sweep stopped before recording it)"
            return "not run yet"
        if record.get("status") != "done":
            return f"failed last time ({record.get('error') or 'no error recorded'})"
        if record.get("settings_hash") != settings_hash:
            return "its settings changed (scenario, months, scale, seed or the model's code)"
        files = record.get("files") or {}
        if run_file(run_id) not in files:
            return "its manifest record names no file"
        for name, info in files.items():
            path = self.runs_dir / name
            if not path.exists():
                return f"{name} is missing"
            size = path.stat().st_size
            if size == 0:
                return f"{name} is empty"
            if size < int(info.get("bytes", -1)):
                return f"{name} is truncated ({size:,} of {int(info['bytes']):,} bytes)"
            if size != int(info.get("bytes", -1)) or sha256_of(path) != info.get("sha256"):
                return f"{name} was edited or corrupted (its SHA-256 differs from the manifest)"
        return None


def _process_start(pid: int) -> str | None:
    """The kernel's start time of a process (Linux), so a reused PID is not taken for the holder."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return fields[19]  # field 22 of stat: starttime (fields[0] is field 3)
    except (OSError, IndexError):
        return None


def _alive(holder: dict[str, Any]) -> bool:
    pid = holder.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    recorded, now = holder.get("process_start"), _process_start(pid)
    return recorded is None or now is None or recorded == now
