"""Every code snippet in README.md and docs/*.md runs as written (issue 22 item 5): each ```python
block, and each ``tenseki ...`` line of the other blocks, is run in a fresh process, in order, in
one scratch folder per document (so ``tenseki report results/mxs`` finds the sweep before it).

Small size, without editing the snippets: the processes get ``tests/docs_small`` on PYTHONPATH
and ``TENSEKI_DOCS_SMALL_SCALE`` (its ``sitecustomize.py`` builds every model at scale at most
0.002), and the scratch folder holds small copies of the shipped experiment files (12 months,
2 replications, or 1 with Morris's 2 trajectories) where the snippets name ``scenarios/experiments/...``,
and README's ``my_policy.toml`` example. What cannot run here is listed in ``NOT_RUN`` with the
reason (a SLURM cluster, a server, a placeholder address); a snippet that newly appears is run.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SMALL_SCALE = "0.002"
#: A fenced block: its language and its text.
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
#: What cannot run on this machine, by a piece of the snippet or line, and why.
NOT_RUN = {
    "SLURMCluster": "needs a SLURM controller (docs/experiments.md; issue 22 item 6)",
    "tenseki dashboard": "starts a web server that runs until stopped (tests/test_dashboard*.py)",
    "--scheduler tcp://": "a placeholder scheduler address (the route is tested in test_experiments.py)",
    "tenseki sweep ...": "an elided command",
}
DOCUMENTS = ["README.md", *sorted(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md"))]
#: The documents whose snippets take longest (experiments on Dask); still run by default.
TIMEOUT_S = 900


def snippets(document: str) -> list[tuple[int, str, str]]:
    """(line, kind, text): each Python block, and each ``tenseki`` command of the other blocks
    (split at ``;`` and ``&&``, the comment after ``#`` dropped)."""
    text = (ROOT / document).read_text(encoding="utf-8")
    found = []
    for m in FENCE.finditer(text):
        lang, body = m.group(1), m.group(2)
        line = text[: m.start()].count("\n") + 1
        if lang == "python":
            found.append((line, "python", body))
        elif lang in ("", "sh", "bash", "shell"):
            for offset, raw in enumerate(body.splitlines(), start=1):
                for part in re.split(r";|&&", raw.split(" #")[0]):
                    if part.strip().startswith("tenseki"):
                        found.append((line + offset, "shell", part.strip()))
    return found


def reason_not_run(text: str) -> str | None:
    return next((why for piece, why in NOT_RUN.items() if piece in text), None)


def small_experiments(folder: Path) -> None:
    """Copies of the shipped experiment files, small: 12 months, 2 replications, 2 Morris trajectories."""
    target = folder / "scenarios" / "experiments"
    target.mkdir(parents=True, exist_ok=True)
    for path in (ROOT / "scenarios" / "experiments").glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        assert tomllib.loads(text)  # a shipped file that no longer parses fails here, not in a snippet
        text = re.sub(r"(?m)^months = \d+", "months = 12", text)
        replications = 1 if "[sample]" in text else 2  # a sensitivity sample has points enough
        text = re.sub(r"(?m)^replications = \d+", f"replications = {replications}", text)
        text = re.sub(r"(?m)^n = \d+", "n = 2", text)
        (target / path.name).write_text(text, encoding="utf-8")


def my_policy_example() -> str:
    """README's example of a policy file (the ```toml block with base = "esd")."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return next(body for lang, body in FENCE.findall(readme) if lang == "toml" and 'base = "esd"' in body)


def run_snippet(kind: str, text: str, folder: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "tests" / "docs_small"), str(ROOT)]),
           "TENSEKI_DOCS_SMALL_SCALE": SMALL_SCALE, "COLUMNS": "100", "NO_COLOR": "1", "MPLBACKEND": "Agg"}
    if kind == "python":
        script = folder / "snippet.py"
        script.write_text(text, encoding="utf-8")
        args = [sys.executable, str(script)]
    else:
        args = [sys.executable, "-m", "sim", *shlex.split(text)[1:]]
    return subprocess.run(args, cwd=folder, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)


@pytest.mark.snippets
@pytest.mark.parametrize("document", [d for d in DOCUMENTS if snippets(d)])
def test_every_snippet_of_the_document_runs_as_written(document, tmp_path):
    """The document's snippets in order in one folder; each must exit 0 (a failure names the
    line of the document and shows the end of the error)."""
    small_experiments(tmp_path)
    (tmp_path / "my_policy.toml").write_text(my_policy_example(), encoding="utf-8")
    failures, ran = [], 0
    for line, kind, text in snippets(document):
        if reason_not_run(text):
            continue
        done = run_snippet(kind, text, tmp_path)
        ran += 1
        if done.returncode != 0:
            failures.append(f"{document}:{line} ({kind}) exit {done.returncode}: {text.splitlines()[0][:80]}\n"
                            f"{(done.stderr or done.stdout)[-1500:]}")
    assert ran, f"{document}: no snippet ran"
    assert not failures, "\n\n".join(failures)


def test_the_snippets_are_found_and_only_the_listed_ones_are_skipped():
    """The extraction sees the snippets the docs have (README's Python example, the Dask client,
    the quick start's commands), and every skipped one has a reason that still matches."""
    every = {d: snippets(d) for d in DOCUMENTS}
    readme = every["README.md"]
    assert any(kind == "python" and "sim.LabourMarket" in text for _, kind, text in readme)
    assert sum(kind == "shell" for _, kind, _ in readme) >= 10
    assert any("Client(" in text for _, kind, text in every["docs/experiments.md"] if kind == "python")
    used = {piece for snips in every.values() for _, _, text in snips for piece in NOT_RUN if piece in text}
    assert used == set(NOT_RUN), f"reasons that no snippet needs any more: {set(NOT_RUN) - used}"


def test_a_dask_client_snippet_guards_its_main_module():
    """A script that starts a Dask ``Client(n_workers=...)`` (a LocalCluster of processes) must do
    so under ``if __name__ == "__main__":``, or each spawned worker re-runs the script."""
    for document in DOCUMENTS:
        for line, kind, text in snippets(document):
            if kind == "python" and re.search(r"Client\(\s*n_workers", text):
                assert 'if __name__ == "__main__":' in text, f"{document}:{line}: Client(...) outside a main guard"
