"""The documentation is self-contained: whoever clones or installs the project has every file it
refers to. No tracked file points outside the repository (a relative path that climbs out of
it, an absolute path on the developers' machine, a ``*.md`` file the project does not have), and every
relative link in README.md and docs/ leads to a file in the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


#: An absolute path into the machine the project was developed on.
MACHINE_PATH = re.compile(r"/work/")
#: A relative path that climbs folders ("../x", "../../x/y"): outside the repository when it
#: climbs more folders than the citing file sits deep.
CLIMBING_PATH = re.compile(r"(?<![\w.])((?:\.\./)+)[\w-]")
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


def outside_references(text: str, known_md: set[str], name: str = "README.md") -> list[str]:
    """Each line of the text (of the tracked file ``name``) that cites a path outside the project
    or a Markdown file the project lacks."""
    depth = len(Path(name).parts) - 1  # folders between the repository's root and the file
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        missing = sorted({m for m in MD_NAME.findall(line) if m not in known_md})
        climbs_out = any(len(up) // 3 > depth for up in CLIMBING_PATH.findall(line))
        if MACHINE_PATH.search(line) or climbs_out or missing:
            found.append(f"{number}: {line.strip()[:120]}")
    return found


def test_no_tracked_file_refers_outside_the_repository():
    """Neither a relative path that climbs out of the repository, nor a ``/work/`` path, nor a
    ``*.md`` name that is no file of the project (``DESIGN.md``, ``BRIEF.md``), in any tracked
    text file: code, comments, TOML, CSV notes, docs."""
    files = tracked_files()
    known_md = {Path(f).name for f in files if f.endswith(".md")}
    offences = {}
    for name in files:
        if name == THIS_FILE:
            continue
        text = text_of(name)
        if text is not None and (found := outside_references(text, known_md, name)):
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


@pytest.mark.parametrize("text, name, bad", [
    ("see `../notes/design.md`", "README.md", True),
    ("see `../notes/design.md`", "docs/ODD.md", False),
    ("see `../../notes/x`", "docs/ODD.md", True),
    ("sources: notes/domain/BRIEF.md", "README.md", True),
    ("copied from /work/notes/domain/data", "README.md", True),
    ("the design (DESIGN.md §4)", "README.md", True),
    ("the design (docs/design.md §4)", "README.md", False),
    ("sim/data/SOURCES.md §3a", "README.md", False),
    ("version 1.2.3 and a.b/c are not paths that climb", "README.md", False),
])
def test_the_outside_reference_rule_itself(text, name, bad):
    """The patterns catch the ways the project used to cite outside files (a folder beside the
    repository, an absolute path, a Markdown file it lacks) and leave its own alone."""
    known = {"design.md", "SOURCES.md"}
    assert bool(outside_references(text, known, name)) is bad
