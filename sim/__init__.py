"""tenseki: an agent-based model of Japan's foreign-trainee labour market (TITP, ESD, SSW).

The public API mirrors the command line (docs/design.md §1)::

    import sim
    scenario = sim.load_scenario("esd")            # a shipped scenario by name, or a file
    model = sim.LabourMarket(scenario, seed=7)
    model.run(120)
    table = model.results()

Names are imported on first use (PEP 562), so that ``tenseki --help`` and an early Ctrl-C do
not wait for numba, Mesa and pandas to load.

Before numba is imported, this module points the cache of the compiled kernels
(``@njit(cache=True)``) at a folder named after a fingerprint of the package's sources, writable
even from a read-only install with an unwritable home folder (see ``_find_numba_cache``): numba
keys its cache on each kernel's own file only, so a kernel would otherwise keep a constant or a
helper of another file as it was when it was compiled. It imports little more than ``os`` and
``sys``: the ``tenseki`` command imports it before it can catch a Ctrl-C (``sim.__main__``).
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


#: Prefix of the cache folders, one per version of the sources (``_sources_key``).
_KEY_PREFIX = "src-"
#: Cache folders of other versions of the sources unused for this long are deleted.
_STALE_CACHE_SECONDS = 7 * 24 * 3600


def _sources_key(here: str) -> str:
    """A fingerprint of every ``.py`` file of the package (names and contents): ``src-`` + 20 hex digits.

    Any change to the sources, a constant or a helper in another file than the kernel's
    included, gives another key and so a fresh cache (a few milliseconds for ~0.5 MB).
    """
    try:
        from _blake2 import blake2b  # what hashlib uses, without loading OpenSSL (~7 ms)
    except ImportError:  # pragma: no cover - a Python built without it
        from hashlib import blake2b
    digest = blake2b(digest_size=10)
    for folder, subfolders, files in os.walk(here):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        for name in sorted(f for f in files if f.endswith(".py")):
            path = os.path.join(folder, name)
            digest.update(os.path.relpath(path, here).encode() + b"\0")
            with open(path, "rb") as source:
                digest.update(source.read() + b"\0")
    return _KEY_PREFIX + digest.hexdigest()


def _prune(base: str, key: str) -> None:
    """Delete the cache folders of other versions of the sources in ``base`` unused for ``_STALE_CACHE_SECONDS``
    (each import marks its own folder as used), so that editing the sources does not fill the disk."""
    import time

    try:
        os.utime(os.path.join(base, key))
        old = [e.path for e in os.scandir(base) if e.name.startswith(_KEY_PREFIX) and e.name != key and e.is_dir()
               and time.time() - e.stat().st_mtime > _STALE_CACHE_SECONDS]
    except OSError:
        return
    if not old:
        return
    import shutil  # only here: seldom needed

    for folder in old:
        shutil.rmtree(folder, ignore_errors=True)


def _cache_bases(here: str, given: str | None):
    """The folders the cache may go in, in order of preference, each with whether others may share it."""
    if given:  # the user's folder, or the base of a folder that a parent process of other sources keyed
        given = os.path.normpath(given)
        yield (os.path.dirname(given) if os.path.basename(given).startswith(_KEY_PREFIX) else given), False
    else:
        yield os.path.join(here, "__pycache__"), False
        user_cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        if os.path.isabs(user_cache):  # expanduser leaves "~" when there is no home folder
            yield os.path.join(user_cache, "tenseki", "numba"), False
    import tempfile  # only here: the common case above needs no more than os

    uid = os.getuid() if hasattr(os, "getuid") else os.getpid()
    yield os.path.join(tempfile.gettempdir(), f"tenseki-numba-{uid}"), True


def _find_numba_cache() -> None:
    """Point numba's cache (NUMBA_CACHE_DIR) at a writable folder named after the sources' fingerprint.

    Numba keys a cached kernel on its own source file only: a kernel compiled with a constant,
    a table or an inlined helper of another file keeps them as they were after that file
    changes. So the cache goes to a folder ``src-<fingerprint>`` (``_sources_key``) and any
    change to the sources starts a fresh one. Its base is ``sim/__pycache__`` when writable, else
    (a read-only install, where numba would raise "cannot cache function ...: no locator
    available" with an unwritable home) the first writable of the user's cache folder
    (``$XDG_CACHE_HOME`` or ``~/.cache``, then ``tenseki/numba``) and a private folder in the
    temp folder (``_cache_bases``); a NUMBA_CACHE_DIR the user set is the base instead, if
    writable (one already ending in this key, as a child process inherits it, is kept). It must
    run before numba is imported.
    """
    here = os.path.dirname(os.path.abspath(__file__))
    key = _sources_key(here)
    given = os.environ.get("NUMBA_CACHE_DIR")
    if given and os.path.basename(os.path.normpath(given)) == key:
        return
    base = next((c for c, shared in _cache_bases(here, given)
                 if _writable(c) and (not shared or _private(c)) and _writable(os.path.join(c, key))), None)
    if base is not None:
        chosen = os.path.join(base, key)
        _prune(base, key)
    else:
        import tempfile

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
