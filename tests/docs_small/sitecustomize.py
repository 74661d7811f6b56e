"""Shrinks every model run of a Python process started with this folder on PYTHONPATH and
TENSEKI_DOCS_SMALL_SCALE set (tests/test_doc_snippets.py): the docs' snippets then run as
written, at a small scale. Each ``LabourMarket`` is built with ``run.scale`` at most that value
(so ``tenseki run``, ``compare``, ``validate``, ``sweep``, Dask workers and ``sim.run_scenario``
all shrink); months, seeds and everything else are as the snippet says. Without the variable
this file does nothing."""

import os

_SMALL = os.environ.get("TENSEKI_DOCS_SMALL_SCALE")

if _SMALL:
    import sim.model

    _init = sim.model.LabourMarket.__init__

    def _small_init(self, scenario="esd", seed=None, **kwargs):
        from sim.scenario import Scenario, load_scenario

        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)
        if scenario.run.scale > float(_SMALL):
            scenario = scenario.with_run(scale=float(_SMALL))
        _init(self, scenario, seed, **kwargs)

    sim.model.LabourMarket.__init__ = _small_init
