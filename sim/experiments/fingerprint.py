"""What code and libraries made a run: a stored run made by other code is not reused."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

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
    for name in ("numpy", "numba", "pandas", "mesa", "pyarrow"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "not installed"
    return out
