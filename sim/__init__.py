"""tenseki: an agent-based model of Japan's foreign-trainee labour market (TITP, ESD, SSW).

The public API mirrors the command line (DESIGN.md §1)::

    import sim
    scenario = sim.load_scenario("scenarios/esd.toml")
    model = sim.LabourMarket(scenario, seed=7)
    model.run(120)
    table = model.results()
"""

from sim.agents import Firm, SupervisoryBody, Trainee
from sim.domain import FIELDS, ORIGINS, Status
from sim.model import LabourMarket
from sim.policy import Policy
from sim.runner import run_scenario
from sim.scenario import Scenario, ScenarioError, load_scenario, shipped_scenario

__all__ = [
    "FIELDS", "ORIGINS", "Firm", "LabourMarket", "Policy", "Scenario", "ScenarioError", "Status",
    "SupervisoryBody", "Trainee", "load_scenario", "run_scenario", "shipped_scenario",
]
__version__ = "0.1.0"
