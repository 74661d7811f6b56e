"""Decompose esd_transition − titp into the ESD reform's components and tag what carries each difference.

Writes the table of docs/validation.md §11 (between its markers ``<!-- decompose_esd:start -->``
and ``<!-- decompose_esd:end -->``) with the date and the command, from a run of
``tenseki decompose`` on the components of ``scenarios/experiments/components_esd_reform.toml``:

    python scripts/decompose_esd.py                       # scale 0.01, 120 months, seeds 1-3, 1 worker
    python scripts/decompose_esd.py --months 60 --workers 2 --out results/decompose_esd

For each headline outcome the table gives titp's and esd_transition's means, the total
difference with its 95% interval over seeds (paired), each component's Shapley contribution,
the component that carries most of it and a tag: **fitted** (the size comes from a mechanism
fitted to official data, docs/validation.md §3), **rule** (a rule of the law [S] acting
mechanically: a programme length, a date) or **assumption** (an unfitted number: the legal-exit
factor, caps held for ever, full compliance with the fee cap, the bodies' thoroughness). The tags
are a judgement recorded in ``TAGS`` below, keyed by the carrying component and the outcome;
the numbers are the model's. The runs are kept in ``--out`` and reused.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim import decompose as dec_module  # noqa: E402
from sim.experiments import sweep  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402
from sim.summary import METRICS  # noqa: E402

COMPONENTS = ROOT / "scenarios" / "experiments" / "components_esd_reform.toml"
DOC = ROOT / "docs" / "validation.md"
START, END = "<!-- decompose_esd:start -->", "<!-- decompose_esd:end -->"
#: The outcomes of the table (the headline of ``tenseki compare``, settlement left out).
OUTCOMES = ("disappearances_per_1000", "trainee_disappearance_rate_pct", "trainee_job_changes_per_1000",
            "ssw_job_changes_per_1000", "wage_mean_yen", "share_in_debt", "vacancy_fill_nonmetro", "vacancy_fill_metro",
            "detected_share_of_violations", "net_moves_into_metro_per_year", "to_ssw1_per_year", "to_ssw2_per_year",
            "still_in_japan_after_5y_share", "stock_total_end")
FITTED, RULE, ASSUMPTION = "fitted", "rule", "assumption"
#: What carries a component's effect on an outcome: (tag, why). "*" is the component's default.
TAGS: dict[str, dict[str, tuple[str, str]]] = {
    "job_change": {
        "*": (RULE, "ESD's transfer rules [S]"),
        "disappearances_per_1000": (ASSUMPTION, "`legal_exit_factor` 0.4, not fitted (§8)"),
        "trainee_disappearance_rate_pct": (ASSUMPTION, "`legal_exit_factor` 0.4, not fitted (§8)"),
        "trainee_job_changes_per_1000": (FITTED, "seek hazard fitted to ISA's SSW cohorts 2021-23 (§3.3)"),
        "ssw_job_changes_per_1000": (FITTED, "seek hazard (§3.3)"),
        "net_moves_into_metro_per_year": (FITTED, "national reach fitted to 66% crossing a border (§5f)"),
        "wage_mean_yen": (FITTED, "wage raise step fitted to TITP pay 2019-20 (§5f)"),
        "vacancy_fill_nonmetro": (FITTED, "job search (§3.3, §5f)"),
        "vacancy_fill_metro": (FITTED, "job search (§3.3, §5f)"),
    },
    "programme": {"*": (RULE, "ESD's 3-year programme from April 2027 [S]")},
    "supervision": {"*": (ASSUMPTION, "bodies' independence and thoroughness 0.6 assumed; ESD's rules on officers "
                                      "and auditors [S]")},
    "fee_cap": {"*": (ASSUMPTION, "the 2-month cap [S] taken to cap all broker debt, full compliance")},
    "caps_on_residents": {"*": (ASSUMPTION, "受入れ見込数 [S] held as caps for ever")},
}


def tag_of(component: str, metric: str) -> tuple[str, str]:
    table = TAGS.get(component, {})
    return table.get(metric, table.get("*", (ASSUMPTION, "not classified")))


#: Evidence from the weakest to the strongest: a difference carried by two components together
#: (an interaction) is as good as the weaker of the two.
WEAKEST_FIRST = (ASSUMPTION, FITTED, RULE)
#: A pairwise interaction at least this share of the top component's Shapley contribution is
#: named: the difference is then carried by the two together, not by either alone.
INTERACTION_SHARE = 0.5


def carrier(dec: dec_module.Decomposition, metric: str, shares: dict[str, float], total: float) -> tuple[str, str]:
    """What carries a difference: the component with the largest Shapley contribution, with the
    component it interacts with most when that interaction is large; and the tag."""
    names = list(shares)
    top = max(names, key=lambda c: abs(shares[c]))
    i = names.index(top)
    tag, why = tag_of(top, metric)
    text = f"{top} ({shares[top] / total:.0%} of the total): {why}"
    pairs = {c: dec.interaction(metric, i, j) for j, c in enumerate(names) if j != i}
    partner = max(pairs, key=lambda c: abs(pairs[c]))
    if abs(pairs[partner]) >= INTERACTION_SHARE * abs(shares[top]):
        other, other_why = tag_of(partner, metric)
        tag = min((tag, other), key=WEAKEST_FIRST.index)
        decimals = METRICS[metric].decimals
        text = (f"{top} × {partner}, an interaction ({_num(pairs[partner], decimals)}; {top} alone "
                f"{_num(float(dec.table.set_index(['metric', 'component']).at[(metric, top), 'alone']), decimals)}): "
                f"{why}; {other_why}")
    return text, tag


def _num(value: float, decimals: int) -> str:
    return dec_module._num(value, decimals)


def markdown(dec: dec_module.Decomposition, command: str) -> str:
    """The table of docs/validation.md §11."""
    names = [c.name for c in dec.components]
    table = dec.table.set_index(["metric", "component"])
    levels = dec.levels.set_index("metric")
    lines = [
        f"Generated {datetime.date.today().isoformat()} by `{command}` ({len(dec.seeds)} seeds "
        f"{', '.join(map(str, dec.seeds))}; {2 ** len(names)} hybrids a seed). Each component's Shapley contribution "
        "(they add up to the total); the total with its 95% CI over seeds (paired); the component carrying the largest "
        "share of the total and what carries it there, with the component it interacts with when the pair's interaction "
        "(v(both) − v(one) − v(other) + v(neither)) is at least half the top contribution, the tag then the weaker of "
        "the two (a tag only where the total's CI excludes 0).",
        "",
        "| outcome | titp | esd_transition | total [95% CI] | " + " | ".join(names) + " | carried by | tag |",
        "|---|" + "---|" * (4 + len(names) + 1),
    ]
    for metric in OUTCOMES:
        if (metric, dec_module.TOTAL) not in table.index:
            continue
        m = METRICS[metric]
        d = m.decimals
        total = table.loc[(metric, dec_module.TOTAL)]
        shares = {c: float(table.loc[(metric, c), "shapley"]) for c in names}
        if total["shapley_ci95_low"] <= 0.0 <= total["shapley_ci95_high"]:
            carried, tag = "no difference told apart from 0 (the CI spans 0)", "–"
        else:
            carried, tag = carrier(dec, metric, shares, float(total["shapley"]))
            tag = f"**{tag}**"
        cells = [f"{m.label.rstrip('*')} ({m.unit})", _num(levels.at[metric, "a_mean"], d), _num(levels.at[metric, "b_mean"], d),
                 f"{_num(total['shapley'], d)} [{_num(total['shapley_ci95_low'], d)}, {_num(total['shapley_ci95_high'], d)}]",
                 *(_num(shares[c], d) for c in names), carried, tag]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", default="results/decompose_esd")
    parser.add_argument("--no-doc", action="store_true", help="print the table, leave docs/validation.md as it is")
    args = parser.parse_args(argv)
    a = load_scenario("titp").with_run(months=args.months, scale=args.scale)
    b = load_scenario("esd_transition").with_run(months=args.months, scale=args.scale)
    components = dec_module.choose_components(a, b, str(COMPONENTS))
    seeds = list(range(1, args.seeds + 1))
    result = sweep(dec_module.experiment(a, b, components, seeds), args.out, workers=args.workers,
                   progress=lambda done, total, _run: print(f"\r{done}/{total} runs", end="", file=sys.stderr))
    print(file=sys.stderr)
    if result.failed:
        print(f"{len(result.failed)} run(s) failed: {result.failed[:3]}", file=sys.stderr)
        return 1
    dec = dec_module.decompose_store(args.out, a, b, components, seeds)
    command = (f"python scripts/decompose_esd.py --seeds {args.seeds} --months {args.months} --scale {args.scale:g}")
    text = markdown(dec, command)
    print(text)
    if not args.no_doc:
        doc = DOC.read_text(encoding="utf-8")
        if START not in doc or END not in doc:
            print(f"{DOC}: no markers {START} ... {END}; table not written", file=sys.stderr)
            return 1
        doc = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _m: f"{START}\n{text}\n{END}", doc, flags=re.S)
        DOC.write_text(doc, encoding="utf-8")
        print(f"Wrote the table into {DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
