"""Validation against official statistics: the history scenario 2017-2024 against ISA and MHLW figures.

``tenseki validate`` runs ``scenarios/history_2017.toml`` (TITP rules from the end-2016 stock, the
official yearly intakes, SSW from April 2019) for several seeds and compares, year by year:

==========================  =================================================================
measure                     model side (from the monthly table, ``docs/outputs.md``)
==========================  =================================================================
``titp_stock``              ``stock_titp`` at the end of December
``ssw_stock``               ``stock_ssw1 + stock_ssw2`` at the end of December
``disappearances``          sum over the year of ``disappearances_trainee`` (ISA counts trainees)
``disappearance_rate_pct``  ISA's rate: trainee disappearances in the year / (TITP stock at the
                            end of the previous December + trainee arrivals in the year), in %
``titp_wage_yen``           mean over the year's months of ``wage_mean_trainee_yen``
``titp3_stock``             ``stock_titp3`` at the end of December
``plans_cancelled_fy``      sum over the fiscal year (April-March) starting in that year of
                            ``plans_cancelled_expected`` (the expected count given the year's
                            findings: the mean of ``plans_cancelled`` with far less noise at
                            small scales, where one agent firm stands for 100 real ones)
``licences_revoked_fy``     the same for ``so_licences_revoked_expected``
``firm_findings_pct``       ``inspection_findings`` / ``firm_inspections`` over the fiscal year's
                            months in the run, in %
``body_findings_pct``       ``body_inspection_findings`` / ``body_inspections``, the same way
``bridging_stock``          ``stock_bridging`` at the end of December (no official count: the
                            rise of ISA's all-purpose 特定活動 stock over end-2019 bounds it)
``overstayers_jan``         ``stock_overstayers_trainee`` at the end of December, against ISA's
                            overstayers whose last status was TITP on 1 January of the next year
``overstayers_jul``         the same at the end of June, against ISA's 1 July figure
``nat_share_<origin>_pct``  the origin's share of the year's trainee disappearances, % (ISA's
                            nationality table; "other" in 2019 = the model's Philippines + other)
``field_share_<field>_pct`` the field's share of the year's trainee disappearances, % (ISA's
                            occupation table)
``ssw1_cohort_changed_pct`` ISA's SSW job-change measure: of the people who became SSW i in the
                            year (``to_ssw1`` + ``arrivals_ssw``, by the month they became SSW i),
                            the share who changed employer while in SSW i by the end of the run
                            (``ssw1_entrants_changed``; the run ends in December 2024, as ISA's
                            count does), in %
==========================  =================================================================

with the official series in ``sim/data/official_series.csv`` (the overstayers in
``overstayers_titp.csv``, the shares in ``disappearances_by_nationality.csv`` and
``disappearances_by_field.csv``, the bridging bound in ``residents_by_status.csv``, the SSW i
cohorts' job changes in ``ssw_job_change.csv``) and the fiscal-year enforcement targets in
``sim/data/enforcement_targets.csv`` (sources and [S]/[U]/[P] flags per row). Years 2017-2022 are
in sample (the calibration, ``scripts/calibrate.py``, may use them); 2023-2024 are out of sample;
for the SSW job-change measure the 2021-2023 cohorts are in sample
(``scripts/calibrate_mobility.py``) and the 2024 cohort is out of sample. See docs/validation.md.

Usage::

    from sim import validation
    table = validation.validate(seeds=5, scale=0.01, out_dir=Path("results/validate"), workers=2)
    print(validation.format_table(table))

The runs go through the experiment engine (``sim.experiments``) like every batch of runs.

The package: ``targets`` (the official series and the measures), ``comparison`` (a run's yearly
measures, model against official, summary errors, the terminal table), ``plots`` (the figure)
and ``runs`` (the history runs and ``validate``); every public name is importable from
``sim.validation``.
"""

from __future__ import annotations

from sim.summary import isa_rate_pct
from sim.validation.comparison import (
    MIN_FY_MONTHS_FOR_SHARES,
    compare,
    compare_shares,
    format_table,
    summarise,
    yearly,
    yearly_shares,
)
from sim.validation.plots import plot
from sim.validation.runs import (
    GROUPED_BY,
    Progress,
    history_experiment,
    history_scenario,
    run_history,
    validate,
    validate_store,
)
from sim.validation.targets import (
    DATA_DIR,
    ENFORCEMENT_CSV,
    FIELD_CSV,
    IN_SAMPLE,
    MEASURES,
    NATIONALITY_CSV,
    NATIONALITY_GROUPS,
    OFFICIAL_CSV,
    OUT_OF_SAMPLE,
    OVERSTAYERS_CSV,
    SAMPLES,
    SSW_JOB_CHANGE_CSV,
    STATUS_CSV,
    load_official,
    load_official_shares,
    sample_of,
    ssw_job_change_targets,
)

__all__ = [
    "DATA_DIR", "ENFORCEMENT_CSV", "FIELD_CSV", "GROUPED_BY", "IN_SAMPLE", "MEASURES", "MIN_FY_MONTHS_FOR_SHARES",
    "NATIONALITY_CSV", "NATIONALITY_GROUPS", "OFFICIAL_CSV", "OUT_OF_SAMPLE", "OVERSTAYERS_CSV", "Progress", "SAMPLES",
    "SSW_JOB_CHANGE_CSV", "STATUS_CSV", "compare", "compare_shares", "format_table", "history_experiment",
    "history_scenario", "isa_rate_pct", "load_official", "load_official_shares", "plot", "run_history", "sample_of",
    "summarise", "ssw_job_change_targets", "validate", "validate_store", "yearly", "yearly_shares",
]
