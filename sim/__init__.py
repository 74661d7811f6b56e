"""tenseki: an agent-based model of Japan's foreign-trainee labour market (TITP, ESD, SSW).

The public API mirrors the command line (DESIGN.md §1)::

    import sim
    scenario = sim.load_scenario("scenarios/esd.toml")
    model = sim.LabourMarket(scenario, seed=7)
    model.run(120)
    table = model.results()

Names are imported on first use (PEP 562), so that ``tenseki --help`` and an early Ctrl-C do
not wait for numba, Mesa and pandas to load.
"""

from importlib import import_module

_EXPORTS = {
    "FIELDS": "sim.domain",
    "ORIGINS": "sim.domain",
    "Status": "sim.domain",
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


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
