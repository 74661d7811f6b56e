"""tenseki: an agent-based model of Japan's foreign-trainee labour market (TITP, ESD, SSW).

The public API mirrors the command line (docs/design.md §1)::

    import sim
    scenario = sim.load_scenario("esd")            # a shipped scenario by name, or a file
    model = sim.LabourMarket(scenario, seed=7)
    model.run(120)
    table = model.results()

Names are imported on first use (PEP 562), so that ``tenseki --help`` and an early Ctrl-C do
not wait for numba, Mesa and pandas to load.

Before numba is imported, this module makes sure the compiled kernels (``@njit(cache=True)``)
have a writable place to be cached in, so that runs work from a read-only install and with an
unwritable home folder (see ``_find_numba_cache``). It imports only ``os`` and ``sys``: the
``tenseki`` command imports it before it can catch a Ctrl-C (``sim.__main__``).
"""

import os
import sys
from importlib import import_module

_EXPORTS = {
    "FIELDS": "sim.domain",
    "ORIGINS": "sim.domain",
    "Status": "sim.domain",
    "YearMonth": "sim.dates",
    "Firm": "sim.agents",
    "SupervisoryBody": "sim.agents",
    "Trainee": "sim.agents",
    "LabourMarket": "sim.model",
    "Policy": "sim.policy",
    "run_scenario": "sim.runner",
    "Scenario": "sim.scenario",
    "ScenarioError": "sim.scenario",
    "load_scenario": "sim.scenario",
    "shipped_scenario": "sim.scenario",
}

__all__ = sorted(_EXPORTS)
__version__ = "0.1.0"


def _writable(folder: str) -> bool:
    """What numba checks of a cache folder: it can be made and a file created in it."""
    probe = os.path.join(folder, f".tenseki-probe-{os.getpid()}")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        os.close(os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        os.unlink(probe)
        return True
    except OSError:
        return False


def _private(folder: str) -> bool:
    """Ours alone (a cache in a shared temp folder that others could write into would be loaded as code)."""
    if not hasattr(os, "getuid"):
        return True
    st = os.stat(folder)
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _find_numba_cache() -> None:
    """Point numba's cache (NUMBA_CACHE_DIR) at a writable folder when its defaults may have none.

    Numba caches next to the code (``sim/__pycache__``), else in the user's cache folder, and
    raises "cannot cache function ...: no locator available" at import when neither is
    writable (a read-only install with an unwritable home). So when ``sim/__pycache__`` is not
    writable this sets NUMBA_CACHE_DIR to the first writable of the user's cache folder
    (``$XDG_CACHE_HOME`` or ``~/.cache``, then ``tenseki/numba``) and a private folder in the
    temp folder; a value the user set is kept. It must run before numba is imported.
    """
    here = os.path.dirname(os.path.abspath(__file__))
    if os.environ.get("NUMBA_CACHE_DIR") or _writable(os.path.join(here, "__pycache__")):
        return
    candidates = []
    user_cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if os.path.isabs(user_cache):  # expanduser leaves "~" when there is no home folder
        candidates.append((os.path.join(user_cache, "tenseki", "numba"), False))
    import tempfile  # only here: the common case above needs no more than os

    uid = os.getuid() if hasattr(os, "getuid") else os.getpid()
    candidates.append((os.path.join(tempfile.gettempdir(), f"tenseki-numba-{uid}"), True))
    chosen = next((c for c, shared in candidates if _writable(c) and (not shared or _private(c))), None)
    if chosen is None:
        try:
            chosen = tempfile.mkdtemp(prefix="tenseki-numba-")  # fresh and private: caches this process only
        except OSError:
            return  # nothing at all is writable: numba will say so
    os.environ["NUMBA_CACHE_DIR"] = chosen
    config = getattr(sys.modules.get("numba"), "config", None)
    if config is not None:  # numba was imported before sim: it read the environment already
        config.CACHE_DIR = chosen


_find_numba_cache()


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
