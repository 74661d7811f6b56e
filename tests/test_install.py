"""Installs that work anywhere: after ``pip install .``, ``pip install -e .`` and ``pip install
--target DIR``, from a folder that holds no scenario, ``tenseki run esd``, a user's own file with
``base = "esd"``, ``tenseki compare`` with no scenario arguments and ``tenseki scenarios`` work;
and a run works from a read-only install with an unwritable home folder (numba's cache goes to a
writable place).

Slow (each installs the package into a temporary place and compiles the kernels afresh), so
marked ``install``: ``pytest -m install`` runs only these, ``pytest -m "not install"`` skips
them; CI (``.ci/run``) runs them. The package's dependencies come from the environment running
the tests (``--no-deps``), so only tenseki itself is installed; pip builds it as it would for a
user (build isolation: setuptools comes from the package index).
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.install

REPO = Path(__file__).resolve().parent.parent
TINY = ["--months", "2", "--scale", "0.002"]


def _source_copy(dest: Path) -> Path:
    """The package's source (what a clone holds), so that builds never write into the repository."""
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, dest / name)
    for folder in ("sim", "scenarios", "dashboards"):
        shutil.copytree(REPO / folder, dest / folder, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return dest


def _pip(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args], capture_output=True, text=True)
    assert done.returncode == 0, f"pip {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NUMBA_CACHE_DIR", "VIRTUAL_ENV")}
    return {**env, "COLUMNS": "200", "NO_COLOR": "1", **extra}


class Install:
    """An installed tenseki: the ``tenseki`` command, the Python that runs it, its environment."""

    def __init__(self, mode: str, root: Path, tenseki: Path, python: Path, env: dict[str, str]) -> None:
        self.mode, self.root, self.tenseki, self.python, self.env = mode, root, tenseki, python, env

    def run(self, *args: str, cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.tenseki), *args], capture_output=True, text=True, cwd=cwd, env=self.env, timeout=600)

    def where(self, cwd: Path) -> list[str]:
        code = "import sim, sim.scenario; print(sim.__file__); print(sim.scenario.shipped_scenario_dir())"
        done = subprocess.run([str(self.python), "-c", code], capture_output=True, text=True, cwd=cwd, env=self.env)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()


def _install(mode: str, base: Path) -> Install:
    (base / "src").mkdir()
    src = _source_copy(base / "src")
    if mode == "target":
        target = base / "target"
        _pip("install", "--no-deps", "--target", str(target), str(src))
        return Install(mode, target, target / "bin" / "tenseki", Path(sys.executable), _clean_env(PYTHONPATH=str(target)))
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    (purelib,) = (venv / "lib").glob("python*/site-packages") if os.name != "nt" else [venv / "Lib" / "site-packages"]
    # The dependencies: this environment's site-packages, as plain path entries (their .pth files,
    # this environment's own tenseki among them, are not run).
    (purelib / "_test_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    _pip("--python", str(python), "install", "--no-deps", *(["-e"] if mode == "editable" else []), str(src))
    return Install(mode, src if mode == "editable" else purelib, venv / "bin" / "tenseki", python, _clean_env())


_INSTALLS: dict[str, Install] = {}


def _installed(mode: str, tmp_path_factory) -> Install:
    """One install per mode for the whole session (the read-only test copies the --target one)."""
    if mode not in _INSTALLS:
        _INSTALLS[mode] = _install(mode, tmp_path_factory.mktemp(f"install_{mode}"))
    return _INSTALLS[mode]


@pytest.fixture(scope="module", params=["regular", "editable", "target"])
def installed(request, tmp_path_factory) -> Install:
    return _installed(request.param, tmp_path_factory)


def test_an_install_works_from_any_folder(installed, tmp_path):
    """From a folder with no scenarios and no source: the installed copy is the one used; the
    shipped scenarios are its package data; run by name, a file with base = "esd", compare with
    no scenario arguments, scenarios and --version all work."""
    work = tmp_path / "work"
    work.mkdir()
    module, scenarios = installed.where(work)
    assert Path(module).is_relative_to(installed.root) and Path(scenarios).is_relative_to(installed.root), (module, scenarios)
    assert not Path(scenarios).is_relative_to(REPO)

    done = installed.run("run", "esd", *TINY, "--out", "esd.csv", cwd=work)
    assert done.returncode == 0, f"{installed.mode}: tenseki run esd\n{done.stderr}"
    assert (work / "esd.csv").exists()

    (work / "mine.toml").write_text('base = "esd"\nname = "mine"\n[policy.transfer]\nmetro_cap_share = 1.0\n', encoding="utf-8")
    done = installed.run("run", "mine.toml", *TINY, cwd=work)
    assert done.returncode == 0, f"{installed.mode}: base = 'esd'\n{done.stderr}"

    done = installed.run("compare", *TINY, "--seeds", "1", "--out", "cmp", cwd=work)
    assert done.returncode == 0, f"{installed.mode}: tenseki compare\n{done.stderr}"
    assert (work / "cmp" / "report" / "summary.csv").exists()
    for name in ("titp", "esd", "free_mobility", "restricted"):
        assert name in done.stdout

    done = installed.run("scenarios", cwd=work)
    assert done.returncode == 0 and "history_2017" in done.stdout and "ESD as legislated" in done.stdout, done.stderr


def _read_only_runner(folder: Path):
    """A way to run a command with ``folder`` read-only, even for root (who ignores permissions):
    a private read-only bind mount (``unshare``), else ``chmod``. None if neither can be had."""
    if os.name == "nt":
        return None
    if os.geteuid() != 0:
        for p in [folder, *folder.rglob("*")]:
            if not p.is_symlink():
                p.chmod(p.stat().st_mode & ~0o222)
        return lambda argv: argv
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    script = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$@"'

    def wrap(argv: list[str]) -> list[str]:
        return [unshare, "-m", "sh", "-c", script, str(folder), *argv]

    probe = subprocess.run(wrap(["touch", str(folder / "probe")]), capture_output=True, text=True)
    if "Read-only file system" not in probe.stderr:
        return None
    return wrap


def test_a_run_works_from_a_read_only_install_with_an_unwritable_home(tmp_path_factory, tmp_path):
    """The kernels are compiled with ``cache=True``: with the package folder read-only and no
    writable home, numba would stop at import ("no locator available"); tenseki points its
    cache at a private folder in the temp folder instead, and the run works."""
    installed = _installed("target", tmp_path_factory)
    frozen = tmp_path / "frozen"
    shutil.copytree(installed.root, frozen / "site", ignore=shutil.ignore_patterns("__pycache__"))
    (frozen / "home").mkdir()
    scratch = tmp_path / "scratch"  # the temp folder, writable
    work = tmp_path / "work"
    scratch.mkdir()
    work.mkdir()
    wrap = _read_only_runner(frozen)
    if wrap is None:
        pytest.skip("cannot make a folder read-only here (root without mount namespaces)")
    try:
        env = _clean_env(PYTHONPATH=str(frozen / "site"), HOME=str(frozen / "home"), TMPDIR=str(scratch))
        env.pop("XDG_CACHE_HOME", None)
        argv = [sys.executable, "-m", "sim", "run", "esd", *TINY, "--out", str(work / "t.csv")]
        done = subprocess.run(wrap(argv), capture_output=True, text=True, cwd=work, env=env, timeout=600)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        assert (work / "t.csv").exists()
        caches = list(scratch.glob("tenseki-numba-*"))
        assert caches and any(caches[0].rglob("*.nbi")), "the kernels were cached in the temp folder"
        assert not (frozen / "site" / "sim" / "__pycache__").exists()
        assert not any((frozen / "home").iterdir())
    finally:
        for p in [frozen, *frozen.rglob("*")]:
            if not p.is_symlink():
                p.chmod(p.stat().st_mode | 0o200)
