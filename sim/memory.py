"""Memory: refuse, before anything is built, a run that cannot fit in this machine's memory."""

from __future__ import annotations

import os
from pathlib import Path

from sim.scenario_schema import Scenario
from sim.schema import ScenarioError

# A fixed part for Python, numpy, numba, pandas and Mesa, a part per row of the people arrays
# (sim/population.py: 95 bytes of columns and 8 of the pid index, 4 per contact, 10% spare
# rows, the month's temporaries) and a part per firm (its columns and its Mesa agent). Fitted
# to the peak RSS of the esd scenario, 120 months (2026-11, this 2-core machine): 0.27 GB at
# scale 0.001, 0.38 GB at 0.25, 0.72 GB at 1.0 (estimates 0.30, 0.43, 0.81): it errs high.
_FIXED_BYTES = 300e6
_BYTES_PER_PERSON = 155.0  # 130 before the 25 bytes of age, family and settlement columns
_BYTES_PER_CONTACT = 4.0
_BYTES_PER_FIRM = 1000.0


def memory_needed_bytes(scenario: Scenario) -> float:
    """About the peak memory of one run: everyone who is in Japan at the start or arrives."""
    run, world = scenario.run, scenario.world
    people = scenario.people_in_run()
    row = _BYTES_PER_PERSON + _BYTES_PER_CONTACT * world.contacts_per_person
    return _FIXED_BYTES + people * row + world.firms * run.scale * _BYTES_PER_FIRM


def available_memory_bytes() -> float | None:
    """Memory this process can still take: MemAvailable, within a container's limit; None if unknown."""
    have: float | None = None
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    have = float(line.split()[1]) * 1024
                    break
    except OSError:
        try:
            have = float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError, AttributeError):
            have = None
    try:  # cgroup v2: a container's limit, less what it uses
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = Path("/sys/fs/cgroup/memory.current").read_text().strip()
        if limit.isdigit() and used.isdigit():
            room = float(int(limit) - int(used))
            have = room if have is None else min(have, room)
    except OSError:
        pass
    return have


def check_memory(scenario: Scenario, runs_at_once: int = 1, source: str | None = None) -> None:
    """Refuse a run (or ``runs_at_once`` runs side by side) that needs more memory than is available.

    Raises:
        ScenarioError: "FILE: this scenario at scale 1 over 1200 months needs about 40 GB of
            memory; this machine has 23 GB available: ...".
    """
    need = memory_needed_bytes(scenario) * runs_at_once
    have = available_memory_bytes()
    if have is None or need <= have:
        return
    run = scenario.run
    runs = f"{runs_at_once} runs at once of " if runs_at_once > 1 else ""
    fewer = ", or fewer --workers" if runs_at_once > 1 else ""
    raise ScenarioError(
        f"{source or f'scenario {scenario.name!r}'}: {runs}this scenario at scale {run.scale:g} over {run.months} months "
        f"needs about {_gb(need)} of memory; this machine has {_gb(have)} available: use a smaller run.scale "
        f"(--scale) or fewer months (--months){fewer}"
    )


def _gb(n: float) -> str:
    return f"{n / 1e9:.0f} GB" if n >= 10e9 else f"{n / 1e9:.1f} GB"
