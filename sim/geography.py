"""Japan's 47 prefectures as data: minimum wage, ESD metro flag, adjacency, initial stocks.

Where each figure of the tables comes from: ``sim/data/SOURCES.md``. The model uses one full year of minimum wages, FY2024 (in force from
October 2024 to the FY2025 revisions of October 2025 - March 2026).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

import numpy as np

from sim.domain import METRO_PREF_CODES


@dataclass(frozen=True)
class Geography:
    """Per-prefecture arrays indexed 0..46 (JIS code minus one)."""

    code: np.ndarray  # JIS X 0401 code 1..47
    name: tuple[str, ...]
    min_wage_yen_per_hour: np.ndarray  # FY2024 regional minimum wage, MHLW
    metro: np.ndarray  # bool, the 8 ESD metro prefectures
    titp_stock: np.ndarray  # TITP residents, end of June 2024, ISA
    ssw_stock: np.ndarray  # SSW residents, end of June 2024, ISA
    job_openings_ratio: np.ndarray  # seasonally adjusted, February 2025, MHLW (受理地別)
    housing_price_index: np.ndarray  # regional CPI for housing (住居, essentially rent), 2024, national = 100, Statistics Bureau
    adjacency: tuple[tuple[int, ...], ...]  # neighbours of each prefecture (land, bridge, tunnel)
    working_age_population: np.ndarray  # people aged 15-64 (2018, else 2010 or 2003; NaN: not found), working_age_by_prefecture.csv

    @property
    def n(self) -> int:
        return len(self.code)

    @cached_property
    def adjacent(self) -> np.ndarray:
        """47 x 47 bool matrix: neighbouring prefectures (a prefecture is not its own neighbour)."""
        m = np.zeros((self.n, self.n), dtype=np.bool_)
        for a, nbrs in enumerate(self.adjacency):
            m[a, list(nbrs)] = True
        return m


def _rows(name: str) -> list[dict[str, str]]:
    with resources.files("sim.data").joinpath(name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@lru_cache(maxsize=1)
def load_geography() -> Geography:
    """Read the prefecture tables shipped in ``sim/data`` (cached: they never change in a run)."""
    wages = sorted(_rows("minimum_wage.csv"), key=lambda r: int(r["pref_code"]))
    stocks = {int(r["pref_code"]): r for r in _rows("titp_by_prefecture.csv")}
    ratios = {int(r["pref_code"]): r for r in _rows("job_openings_ratio.csv")}
    prices = {int(r["pref_code"]): r for r in _rows("price_index_by_prefecture.csv")}
    working = {int(r["pref_code"]): r for r in _rows("working_age_by_prefecture.csv")}
    codes = np.array([int(r["pref_code"]) for r in wages], dtype=np.int16)
    if list(codes) != list(range(1, 48)):
        raise ValueError("minimum_wage.csv must list the 47 prefectures, codes 1..47")
    neighbours: list[set[int]] = [set() for _ in range(47)]
    for r in _rows("prefecture_adjacency.csv"):
        a, b = int(r["pref_code_a"]) - 1, int(r["pref_code_b"]) - 1
        neighbours[a].add(b)
        neighbours[b].add(a)
    arrays = dict(
        min_wage_yen_per_hour=np.array([float(r["fy2024"]) for r in wages]),
        metro=np.array([int(c) in METRO_PREF_CODES for c in codes]),
        titp_stock=np.array([float(stocks[int(c)]["titp_2024_06"]) for c in codes]),
        ssw_stock=np.array([float(stocks[int(c)]["ssw_2024_06"]) for c in codes]),
        job_openings_ratio=np.array([float(ratios[int(c)]["ratio_2025_02_sa_juri"]) for c in codes]),
        housing_price_index=np.array([float(prices[int(c)]["cpi_regional_housing_2024"]) for c in codes]),
        working_age_population=np.array([float(working[int(c)]["working_age_population"] or "nan") for c in codes]),
    )
    for a in arrays.values():
        a.setflags(write=False)
    return Geography(
        code=codes,
        name=tuple(r["pref_name_en"] for r in wages),
        adjacency=tuple(tuple(sorted(s)) for s in neighbours),
        **arrays,
    )
