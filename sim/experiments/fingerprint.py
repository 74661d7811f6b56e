"""What code and libraries made a run: a stored run made by other code is not reused; and the
provenance recorded with each run (``provenance``): code version, libraries, command, machine."""

from __future__ import annotations

import functools
import hashlib
import os
import platform
import shlex
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import sim

#: Parts of the package that do not change a run's tables (first part of the path under sim/).
NOT_IN_FINGERPRINT = frozenset({"cli.py", "summary.py", "experiments", "store.py", "report.py", "sensitivity.py", "decompose.py"})


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the model's code and data: a stored run made by other code is not reused
    (computed once a process)."""
    root = Path(sim.__file__).resolve().parent
    h = hashlib.sha256(sim.__version__.encode())
    files = [p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".csv")
             and p.relative_to(root).parts[0] not in NOT_IN_FINGERPRINT]
    for p in sorted(files):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def _versions() -> tuple[tuple[str, str], ...]:
    return tuple(_find_versions().items())


def versions() -> dict[str, str]:
    """Versions of the libraries a run depends on (recorded with every run; looked up once a process)."""
    return dict(_versions())


def _find_versions() -> dict[str, str]:
    import importlib.metadata as md
    import platform

    out = {"python": platform.python_version(), "tenseki": sim.__version__}
    for name in ("numpy", "numba", "pandas", "mesa", "pyarrow", "dask", "distributed"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "not installed"
    return out


def provenance(argv: list[str] | None = None) -> dict[str, Any]:
    """Where a sweep's runs come from, as recorded with each run in the store's manifest and
    printed by ``tenseki report``: the code (the git commit of the source and whether it had
    uncommitted changes, when the package runs from a git checkout; always the package version
    and the fingerprint of the model's code, ``code_fingerprint``), the library versions of this
    process (each run also records its worker's, ``versions``), the command line (``argv``,
    default this process's) and the machine that sent the runs.
    """
    argv = sys.argv if argv is None else argv
    command = [Path(argv[0]).name, *argv[1:]] if argv else []
    return {
        "code": {**_git_state(), "tenseki": sim.__version__, "model_fingerprint": code_fingerprint()[:16]},
        "packages": versions(),
        "command": shlex.join(command),
        "machine": machine(),
    }


@functools.lru_cache(maxsize=1)
def machine() -> dict[str, Any]:
    """This machine: host name, processors this process may use, platform and Python."""
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        nproc = os.cpu_count() or 1
    return {"hostname": socket.gethostname(), "nproc": nproc, "platform": platform.platform(),
            "python": platform.python_version()}


@functools.lru_cache(maxsize=1)
def _git_state() -> dict[str, Any]:
    """The commit of the git checkout the package runs from, and whether its tracked files had
    changes not committed (``git_commit`` None: an installed copy, or no git)."""
    source = Path(sim.__file__).resolve().parent.parent

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(source), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    top = git("rev-parse", "--show-toplevel")
    if top is None or Path(top).resolve() != source:  # the package is not the checkout's own
        return {"git_commit": None, "git_dirty": None}
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"git_commit": git("rev-parse", "HEAD"), "git_dirty": None if status is None else bool(status)}
