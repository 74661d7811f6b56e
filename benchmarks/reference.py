"""Per-agent Mesa reference throughput (the baseline for issue 3).

Issue 3 asks that tenseki's person-months per second be at least 20x "a plain per-agent Mesa
loop (a Boltzmann-wealth model with ``shuffle_do``, as in Mesa's own benchmarks)". Two such
loops are measured here, both stepping every agent with one Python method call per step:

* ``grid`` - as in Mesa's own benchmark (``benchmarks/BoltzmannWealth`` in the Mesa
  repository): agents on a torus ``MultiGrid`` move to a random Moore neighbour and, if they
  have wealth, give one unit to a random cellmate. This is the reference for the ratio.
* ``minimal`` - the same exchange without space: give one unit to a random other agent. A
  faster floor, printed for transparency.

Only ``self.random`` is used; the model is seeded.
"""

from __future__ import annotations

import time

from mesa import Agent, Model
from mesa.space import MultiGrid


class MoneyAgent(Agent):
    """Starts with 1 unit of wealth; each step gives 1 unit away if it has any."""

    def __init__(self, model: Model) -> None:
        super().__init__(model)
        self.wealth = 1

    def step(self) -> None:
        if self.model.grid is not None:
            self.move()
        if self.wealth > 0:
            self.give_money()

    def move(self) -> None:
        grid = self.model.grid
        grid.move_agent(self, self.random.choice(grid.get_neighborhood(self.pos, moore=True, include_center=False)))

    def give_money(self) -> None:
        if self.model.grid is None:
            # A fixed list: AgentSet.__getitem__ copies the set on every call (O(n)).
            other = self.random.choice(self.model.agent_list)
            while other is self:
                other = self.random.choice(self.model.agent_list)
        else:
            cellmates = [a for a in self.model.grid.get_cell_list_contents([self.pos]) if a is not self]
            if not cellmates:
                return
            other = self.random.choice(cellmates)
        other.wealth += 1
        self.wealth -= 1


class WealthModel(Model):
    """Boltzmann wealth model, with (``grid``) or without (``minimal``) a torus MultiGrid."""

    def __init__(self, n: int, seed: int, kind: str = "grid") -> None:
        super().__init__(seed=seed)
        self.grid = None
        if kind == "grid":
            side = max(2, int((n / 1.0) ** 0.5))  # about one agent per cell, as in Mesa's benchmark sizes
            self.grid = MultiGrid(side, side, torus=True)
        elif kind != "minimal":
            raise ValueError(f"kind must be 'grid' or 'minimal', not {kind!r}")
        MoneyAgent.create_agents(self, n)
        self.agent_list: list[MoneyAgent] = list(self.agents)
        if self.grid is not None:
            for agent in self.agent_list:
                self.grid.place_agent(agent, (self.random.randrange(self.grid.width), self.random.randrange(self.grid.height)))

    def step(self) -> None:
        self.agents.shuffle_do("step")


def measure_reference(n_agents: int = 10_000, steps: int = 100, seed: int = 42, kind: str = "grid") -> dict:
    """Build the model, run ``steps`` steps and time only the stepping (wall-clock and CPU)."""
    if n_agents < 2 or steps < 1:
        raise ValueError("need n_agents >= 2 and steps >= 1")
    model = WealthModel(n_agents, seed, kind)
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        model.step()
    run_seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    return {
        "kind": kind,
        "agents": n_agents,
        "steps": steps,
        "seconds": run_seconds,
        "cpu_seconds": cpu_seconds,
        "agent_steps_per_second": n_agents * steps / run_seconds,
        "agent_steps_per_cpu_second": n_agents * steps / cpu_seconds,
    }


if __name__ == "__main__":
    for kind in ("grid", "minimal"):
        r = measure_reference(kind=kind)
        print(
            f"Mesa reference ({kind}): {r['agents']} agents x {r['steps']} steps in {r['seconds']:.3f} s = "
            f"{r['agent_steps_per_second']:,.0f} agent-steps/s"
        )
