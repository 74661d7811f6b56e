"""The run store of an experiment: one Parquet file a run, a manifest, a lock (docs/design.md §8).

A store is a folder::

    DIR/experiment.json     the experiment as run (name, design, settings, the store's layout)
    DIR/manifest.jsonl      one JSON record a line per finished or failed run (the last line
                            for a run wins): parameters, seed, settings hash, status, error,
                            SHA-256 and size of each file, versions of the libraries, provenance
                            (code version, command, machine: ``fingerprint.provenance``)
    DIR/runs/<run_id>.parquet              the run's monthly table, parameters as columns; the
                                           id ends in a hash of the run's content (LAYOUT)
    DIR/runs/<run_id>.by_<group>.parquet   its by-group tables, when the experiment asks
    DIR/.lock               locked (flock) while a sweep writes; names the holder (PID, host, start)

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
#: The store's layout, recorded in ``experiment.json``. 2: a run's id (and file name) ends in a
#: hash of its content (``sim.experiments.design.content_id``); 1 (no "layout" key): ids were
#: made from scenario names alone, and two names could share a file. A store of layout 1 is
#: refused, by a sweep and by a report alike, never read or mixed with new runs.
LAYOUT = 2


class StoreError(Exception):
    """A store that cannot be used as asked (locked, holds another experiment, unwritable)."""

    exit_code = 2  # the command line's exit code: bad input or a store in use


class StoreUnwritable(StoreError):
    """A store folder that cannot be made or written: the same exit code as a table that cannot
    be written (1), whichever command meets it."""

    exit_code = 1


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
        """Hold the store's lock; yields notes (e.g. a lock file left by a process that died).

        The lock is the operating system's: an exclusive ``flock`` on ``DIR/.lock`` held for as
        long as the sweep writes. The kernel releases it when the process ends, however it ends,
        so a killed sweep leaves no lock to clear, and nothing written into the file (an empty
        file, another program's file, a dead PID) can make two sweeps write together. The file's
        text (PID, host, start time) only names the holder in the message of a refused sweep.
        ``flock`` is not reliable on some network file systems (NFS without lock support): keep
        stores that several machines write on a file system that supports it.

        Raises:
            StoreError: another process holds it (its PID and start time are named).
        """
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"{self.root}: exists and is not a folder")
        try:
            self.runs_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreUnwritable(f"{self.root}: cannot write: {exc.strerror or exc}") from None
        try:
            notes: list[str] = []
            if not _try_lock(fd):
                holder = self._read_lock()
                who = f"PID {holder.get('pid')}, since {holder.get('started')}" if holder else "another process"
                raise StoreError(
                    f"{self.root}: another sweep is writing here ({who}); wait for it to finish, stop it, "
                    f"or give another --out"
                )
            left = self._read_lock()
            if left.get("pid") not in (None, os.getpid()):
                notes.append(f"took over the lock file left by PID {left.get('pid')} (started {left.get('started')}, "
                             f"no longer running)")
            me = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(me).encode(), 0)
            try:
                yield notes
            finally:
                os.ftruncate(fd, 0)  # the file stays (removing it would race with a sweep waiting to lock it)
        finally:
            os.close(fd)  # releases the lock

    def _read_lock(self) -> dict[str, Any]:
        try:
            data = json.loads(self.lock_path.read_text())
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}  # empty, unreadable or foreign: names no holder

    # -- the experiment --------------------------------------------------------------------
    def claim(self, description: dict[str, Any]) -> None:
        """Record which experiment this store holds; refuse a store that holds another one."""
        path = self.root / EXPERIMENT
        if path.exists():
            try:
                held = json.loads(path.read_text())
            except (OSError, ValueError):
                held = {}
            if not isinstance(held, dict):
                held = {}
            if held:
                self._check_layout(held)
            if held.get("name") not in (None, description["name"]):
                raise StoreError(
                    f"{self.root}: holds the runs of experiment {held.get('name')!r}, not "
                    f"{description['name']!r}; give another --out"
                )
        description = {**description, "layout": LAYOUT}
        write_atomic(path, (json.dumps(description, indent=2, sort_keys=True, default=str) + "\n").encode())

    def _check_layout(self, held: dict[str, Any]) -> None:
        layout = held.get("layout", 1)
        if layout != LAYOUT:
            raise StoreError(
                f"{self.root}: a store of layout {layout!r} (this tenseki reads layout {LAYOUT}: run files named "
                f"by content, not by scenario name); its runs cannot be reused or reported: run the sweep again "
                f"with another --out, or remove the folder"
            )

    def description(self) -> dict[str, Any]:
        """The experiment the store holds (``experiment.json``)."""
        path = self.root / EXPERIMENT
        try:
            held = json.loads(path.read_text())
        except FileNotFoundError:
            raise StoreError(f"{self.root}: no experiment here (no {EXPERIMENT}); run 'tenseki sweep' first") from None
        except (OSError, ValueError) as exc:
            raise StoreError(f"{path}: unreadable ({exc}); run the sweep again to rewrite it") from None
        if not isinstance(held, dict):
            raise StoreError(f"{path}: unreadable (not a JSON object); run the sweep again to rewrite it")
        self._check_layout(held)
        return held

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


def _try_lock(fd: int) -> bool:
    """Take an exclusive lock on the open file ``fd`` without waiting; False if another process holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: the C runtime's byte-range lock
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
