"""Serve Solara's front end from installed files, so that the page works without internet.

Solara's server answers ``/_solara/cdn/<package>@<version>/...`` from a folder
(``solara.server.settings.assets.proxy_cache_dir``, by default ``<prefix>/share/solara/cdn``)
and fetches what is missing from a public CDN. The ``solara-assets`` package fills that folder
(Vue, Vuetify, requirejs, Vega...), but with exact versions (``vega@5.21.0``) while Solara's
Vega-Lite widget asks for major versions (``vega@5``), so without help every chart would be
fetched from the internet, and fail offline.

``serve_offline()`` makes a folder of links to every installed package plus the major-version
names that point to the installed versions, and points Solara at it. It changes no installed
file, and is called when the app module is loaded, so it works for ``tenseki dashboard`` and
``solara run dashboards/app.py`` alike.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

#: Packages Solara's widgets ask for by major version only, and the major they ask for.
MAJOR_VERSION_NAMES = {"vega": "5", "vega-lite": "5", "vega-embed": "6"}

_VERSIONED = re.compile(r"^(?P<name>@?[\w.-]+(?:/[\w.-]+)?)@(?P<major>\d+)\.(?P<minor>\d+)\.(?P<patch>\d+)$")


def _cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def link_folder(installed: Path, folder: Path) -> Path:
    """Fill ``folder`` with links to the entries of ``installed`` and the major-version names."""
    folder.mkdir(parents=True, exist_ok=True)
    best: dict[tuple[str, str], tuple[tuple[int, int], Path]] = {}
    for entry in sorted(installed.iterdir()):
        link = folder / entry.name
        if not link.exists() and not link.is_symlink():
            link.symlink_to(entry, target_is_directory=entry.is_dir())
        match = _VERSIONED.match(entry.name)
        if match:
            key = (match["name"], match["major"])
            version = (int(match["minor"]), int(match["patch"]))
            if key not in best or version > best[key][0]:
                best[key] = (version, entry)
    for name, major in MAJOR_VERSION_NAMES.items():
        found = best.get((name, major))
        alias = folder / f"{name}@{major}"
        if found is not None and not alias.exists():
            if alias.is_symlink():  # a link left to a version no longer installed
                alias.unlink()
            alias.symlink_to(found[1], target_is_directory=True)
    return folder


def serve_offline() -> Path | None:
    """Point Solara's asset folder at a linked copy of the installed one (None: nothing installed)."""
    from solara.server import settings

    installed = Path(settings.assets.proxy_cache_dir)
    if not installed.is_dir():
        return None
    if installed.name.startswith("tenseki-"):  # already done in this process
        return installed
    import hashlib

    import solara

    # One folder per installation (its links lead into that installation's files).
    where = hashlib.sha1(str(installed.resolve()).encode()).hexdigest()[:10]
    folder = _cache_home() / "tenseki" / f"tenseki-solara-cdn-{solara.__version__}-{where}"
    try:
        link_folder(installed, folder)
    except OSError:  # no links on this file system: keep Solara's own folder
        return None
    settings.assets.proxy_cache_dir = folder
    return folder
