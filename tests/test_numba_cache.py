"""numba's on-disk cache of the compiled kernels cannot go stale (``sim._find_numba_cache``).

numba keys a cached kernel on its own source file only: a kernel reading a constant of another
file kept the old value after that file changed (the cache had to be deleted by hand). The cache
folder is now named after a fingerprint of all the package's sources, so any change starts a
fresh one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import sim

REPO = Path(__file__).resolve().parent.parent

KERNEL = """from numba import njit

from sim.probe_constant import VALUE


@njit(cache=True)
def read():
    return VALUE
"""
SHOW = "import sim.probe_kernel as k; print(k.read(), sum(k.read.stats.cache_hits.values()))"


def test_a_cached_kernel_sees_a_change_to_a_constant_of_another_file(tmp_path):
    """A package of ``sim/__init__.py`` and two files: a kernel and the constant it reads. Run
    twice (the second loads the kernel from the cache), change the constant, run again: the
    kernel returns the new value (with a cache keyed on the kernel's file alone it returned the old one)."""
    package = tmp_path / "sim"
    package.mkdir()
    shutil.copy(REPO / "sim" / "__init__.py", package / "__init__.py")
    (package / "probe_kernel.py").write_text(KERNEL, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "PYTHONPATH")}
    env["PYTHONPATH"] = str(tmp_path)
    # Python's own .pyc check is by mtime and size: "VALUE = 1" rewritten as "VALUE = 2" in the same
    # second would be read from the old .pyc (the test, not numba, would then be stale).
    env["PYTHONDONTWRITEBYTECODE"] = "1"

    def run(value: int) -> list[int]:
        (package / "probe_constant.py").write_text(f"VALUE = {value}\n", encoding="utf-8")
        done = subprocess.run([sys.executable, "-c", SHOW], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return [int(x) for x in done.stdout.split()]

    assert run(1) == [1, 0]
    assert run(1) == [1, 1], "the second run loads the kernel from the cache"
    assert run(2)[0] == 2, "the cached kernel kept the old constant"
    assert run(1) == [1, 1], "the first version's cache is still there"


def test_the_cache_folder_is_keyed_on_every_source_file(tmp_path):
    package = tmp_path / "pkg"
    shutil.copytree(REPO / "sim", package, ignore=shutil.ignore_patterns("__pycache__", "data"))
    key = sim._sources_key(str(package))
    assert key.startswith(sim._KEY_PREFIX) and key == sim._sources_key(str(package))
    (package / "__pycache__").mkdir(exist_ok=True)
    (package / "__pycache__" / "x.py").write_text("# not a source\n")
    assert sim._sources_key(str(package)) == key, "the cache's own folder is not part of the key"
    codes = package / "processes" / "codes.py"
    codes.write_text(codes.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert sim._sources_key(str(package)) != key
    assert Path(os.environ["NUMBA_CACHE_DIR"]).name == sim._sources_key(sim.__path__[0])
