"""The documentation is self-contained: whoever clones or installs the project has every file it
refers to. No tracked file points outside the repository (a ``shared/`` folder beside it, an
absolute path on the developers' machine, a ``*.md`` file the project does not have), and every
relative link in README.md and docs/ leads to a file in the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


#: A path into a ``shared`` folder outside the project ("../shared/x", "shared/x" at the start of
#: a path), or an absolute path into the machine the project was developed on.
OUTSIDE_PATH = re.compile(r"(?:^|[^\w./-])(?:\.\./)*shared/|/work/")
#: A Markdown file named anywhere in a text ("docs/ODD.md", "SOURCES.md §3").
MD_NAME = re.compile(r"[\w-]+\.md\b")
#: A Markdown link or image: [text](target) or ![alt](target).
MD_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
THIS_FILE = Path(__file__).resolve().relative_to(ROOT).as_posix()


def tracked_files() -> list[str]:
    """The files a clone has: tracked, or new and not ignored (about to be committed); skip
    outside a git checkout (an installed copy)."""
    try:
        done = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                              capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files are unknown")
    return [name for name in done.stdout.decode("utf-8").split("\0") if name]


def text_of(name: str) -> str | None:
    """The file's text, or None for a binary file (images, Parquet)."""
    try:
        return (ROOT / name).read_text(encoding="utf-8")
    except (UnicodeDecodeError, FileNotFoundError):
        return None


def outside_references(text: str, known_md: set[str]) -> list[str]:
    """Each line of the text that cites a path outside the project or a Markdown file the project lacks."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        missing = sorted({m for m in MD_NAME.findall(line) if m not in known_md})
        if OUTSIDE_PATH.search(line) or missing:
            found.append(f"{number}: {line.strip()[:120]}")
    return found


def test_no_tracked_file_refers_outside_the_repository():
    """Neither ``../shared/``, ``shared/...`` nor ``/work/`` paths, nor a ``*.md`` name that is no
    file of the project (``DESIGN.md``, ``BRIEF.md``), in any tracked text file: code, comments,
    TOML, CSV notes, docs."""
    files = tracked_files()
    known_md = {Path(f).name for f in files if f.endswith(".md")}
    offences = {}
    for name in files:
        if name == THIS_FILE:
            continue
        text = text_of(name)
        if text is not None and (found := outside_references(text, known_md)):
            offences[name] = found
    assert not offences, "files citing what a user does not have:\n" + "\n".join(
        f"  {name}:{line}" for name, lines in offences.items() for line in lines)


def markdown_documents() -> list[str]:
    return [f for f in tracked_files() if f == "README.md" or (f.startswith("docs/") and f.endswith(".md"))]


def test_every_relative_link_in_the_docs_resolves_to_a_file_in_the_repository():
    """Each [text](target) and ![alt](target) in README.md and docs/**.md that is not a web
    address or an in-page anchor names a tracked file (or folder) inside the repository."""
    files = tracked_files()
    tracked = set(files)
    folders = {str(Path(f).parent.as_posix()) for f in files}
    documents = markdown_documents()
    assert "docs/design.md" in documents and "docs/domain.md" in documents
    broken, checked = [], 0
    for name in documents:
        for target in MD_LINK.findall(text_of(name) or ""):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue  # http:, https:, mailto:; a heading of the same page
            path = target.split("#", 1)[0]
            resolved = (ROOT / Path(name).parent / path).resolve()
            checked += 1
            try:
                inside = resolved.relative_to(ROOT).as_posix()
            except ValueError:
                broken.append(f"{name}: {target} (outside the repository)")
                continue
            if inside not in tracked and inside.rstrip("/") not in folders:
                broken.append(f"{name}: {target} (no such tracked file)")
    assert checked >= 10, f"only {checked} relative links found: is the link pattern still right?"
    assert not broken, "broken links:\n  " + "\n  ".join(broken)


@pytest.mark.parametrize("text, bad", [
    ("see `../shared/DESIGN.md`", True),
    ("sources: shared/domain/BRIEF.md", True),
    ("copied from /work/shared/domain/data", True),
    ("the design (DESIGN.md §4)", True),
    ("the design (docs/design.md §4)", False),
    ("sim/data/SOURCES.md §3a", False),
    ("shared_memory/ and sim/shared/ are not the outside folder", False),
])
def test_the_outside_reference_rule_itself(text, bad):
    """The patterns catch the ways the project used to cite outside files and leave its own alone."""
    known = {"design.md", "SOURCES.md"}
    assert bool(outside_references(text, known)) is bad
