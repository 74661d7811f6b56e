"""Per-agent Mesa reference throughput (the baseline for issue 3).

Issue 3 sets tenseki the target of running at least 20x faster than a
per-agent Mesa loop. This module measures that loop: a minimal Boltzmann
wealth model, as in Mesa's own benchmarks, with no grid. Each agent's
``step`` is one Python method call. Person-months of tenseki are compared
with the agent-steps per second measured here.
"""

from __future__ import annotations

import time

from mesa import Agent, Model


class MoneyAgent(Agent):
    """Starts with 1 unit of wealth and gives 1 unit to a random other agent."""

    def __init__(self, model: WealthModel) -> None:
        super().__init__(model)
        self.wealth = 1

    def step(self) -> None:
        if self.wealth > 0:
            # Fixed list of agents: AgentSet.__getitem__ copies the set on
            # every call (O(n)), which would measure indexing, not stepping.
            others = self.model.agent_list
            other = self.random.choice(others)
            while other is self:
                other = self.random.choice(others)
            other.wealth += 1
            self.wealth -= 1


class WealthModel(Model):
    """Boltzmann wealth model without space; the only RNG is ``self.random``."""

    def __init__(self, n: int, seed: int) -> None:
        super().__init__(seed=seed)
        MoneyAgent.create_agents(self, n)
        self.agent_list: list[MoneyAgent] = list(self.agents)

    def step(self) -> None:
        self.agents.shuffle_do("step")


def measure_reference(n_agents: int = 10_000, steps: int = 100, seed: int = 42) -> dict:
    """Build the model, run ``steps`` steps and time only the stepping."""
    if n_agents < 2 or steps < 1:
        raise ValueError("need n_agents >= 2 and steps >= 1")
    model = WealthModel(n_agents, seed)
    start = time.perf_counter()
    for _ in range(steps):
        model.step()
    run_seconds = time.perf_counter() - start
    return {
        "agents": n_agents,
        "steps": steps,
        "seconds": run_seconds,
        "agent_steps_per_second": n_agents * steps / run_seconds,
    }


if __name__ == "__main__":
    result = measure_reference()
    print(
        f"Mesa reference: {result['agents']} agents x {result['steps']} steps "
        f"in {result['seconds']:.3f} s = "
        f"{result['agent_steps_per_second']:,.0f} agent-steps/s"
    )
