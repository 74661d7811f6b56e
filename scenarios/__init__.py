"""The shipped scenarios, installed as the package data ``sim.scenarios`` (pyproject.toml maps
this folder there). Load one by name: ``sim.load_scenario("esd")``; list them: ``tenseki scenarios``."""
