"""Presets and policy levers of the dashboard, validated exactly as scenario files are.

A student starts from one of the four shipped policies (a *preset*), moves levers, and the
dashboard builds ``sim.LabourMarket(preset, seed=..., **model_kwargs)``. Every lever is one
scenario setting (a dotted key of ``Scenario.with_changes``), so the page never invents a rule of
its own: a value or a combination the model does not allow comes back as the same
``ScenarioError`` message a scenario file would get, and the page shows it.

Why levers take their values from the preset: a lever the student has not touched must mean "as
in the policy I picked", so ``levers_of(scenario)`` reads them back from the scenario itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import sim
from sim.scenario import SHIPPED, Scenario, ScenarioError, check_memory

#: The dashboard's default size: 0.5% of Japan's foreign trainees, about 4,000 people, 300 firms
#: and 18 supervisory bodies; a month takes some tens of milliseconds, so Play is smooth.
DEFAULT_SCALE = 0.005
DEFAULT_SEED = 1
SCALES = (0.002, 0.003, 0.005, 0.01, 0.02)

PRESET_LABELS = {
    "titp": "TITP today (status quo)",
    "esd": "ESD 2027 (as legislated)",
    "esd_transition": "ESD from April 2027, TITP trainees finishing (the reform from today)",
    "free_mobility": "Free mobility (liberal benchmark)",
    "restricted": "Restricted (conservative benchmark)",
}

NO_CAP = "no cap"


@dataclass(frozen=True)
class Lever:
    """One policy setting as a student sees it: what it is called, what it means, its choices."""

    key: str  # dotted scenario key (``policy.transfer.regime``)
    label: str
    explanation: str  # one plain line
    kind: str  # "select", "int", "float", "check"
    choices: tuple[tuple[str, Any], ...] = ()  # (label, value) for "select"
    low: float = 0.0
    high: float = 1.0
    step: float = 1.0

    def choice_label(self, value: Any) -> str:
        """The label shown for ``value`` (a preset value not among the choices is shown as it is)."""
        for label, v in self.choices:
            if _same(v, value):
                return label
        return _plain(value)

    def choice_labels(self, value: Any) -> list[str]:
        labels = [label for label, _ in self.choices]
        current = self.choice_label(value)
        return labels if current in labels else labels + [current]

    def value_of(self, label: str, current: Any) -> Any:
        for lab, v in self.choices:
            if lab == label:
                return v
        return current


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-3, abs_tol=1e-9)
    return a == b


def _plain(value: Any) -> str:
    return NO_CAP if value is None else f"{value:,}" if isinstance(value, int | float) else str(value)


def _yen(amount: int) -> str:
    return f"¥{amount:,}"


LEVERS: tuple[Lever, ...] = (
    Lever(
        "policy.transfer.regime", "Job change (tenseki)",
        "When may a trainee leave their employer for another of their own wish?", "select",
        (("only in unavoidable cases (TITP)", "unavoidable_only"),
         ("after a waiting period (ESD)", "after_waiting_period"),
         ("at any time (free)", "free")),
    ),
    Lever(
        "policy.transfer.waiting_months", "Waiting period (months)",
        "Months with the first employer before a voluntary change is allowed (ESD: 12).", "int", low=0, high=36,
    ),
    Lever(
        "policy.transfer.waiting_months_by_field", "Two years in five fields",
        "ESD draft: 24 months in construction, food and machinery manufacturing, textiles, nursing care.", "check",
    ),
    Lever(
        "policy.transfer.same_field", "Same field only",
        "A trainee who changes employer must stay in the same kind of work.", "check",
    ),
    Lever(
        "policy.stay.max_trainee_months", "Maximum stay as trainee (months)",
        "How long the training status lasts (TITP: 60, ESD: 36; ESD allows at most 60).", "int", low=12, high=84,
    ),
    Lever(
        "policy.stay.ssw1_path", "Path to Specified Skilled Worker",
        "Can trainees who pass the tests move up to SSW i (and later SSW ii) and stay longer?", "check",
    ),
    Lever(
        "policy.supervision.independence_mean", "Supervisory independence",
        "Share of the abuses it finds that a supervising body free of ties to its member firms reports (0 = covers up, 1 = reports all).",
        "float", low=0.0, high=1.0, step=0.05,
    ),
    Lever(
        "policy.supervision.share_bodies_tied_officers", "Bodies run by officers tied to member firms",
        "Share of supervising bodies whose officers come from the firms they supervise (TITP: most; ESD forbids it); they report less.",
        "float", low=0.0, high=1.0, step=0.05,
    ),
    Lever(
        "policy.supervision.audit_monthly", "Audit effort (audits a month per firm)",
        "How often supervising bodies audit a member firm (0.33 = every three months, the legal minimum).",
        "float", low=0.0, high=1.0, step=0.001,
    ),
    Lever(
        "policy.recruitment.broker_fee_cap_yen", "Broker fee cap",
        "The most a recruiter abroad may charge a newcomer, who often borrows it.", "select",
        ((NO_CAP, None),) + tuple((_yen(v), v) for v in (100_000, 200_000, 300_000, 500_000, 700_000)),
    ),
    Lever(
        "policy.transfer.metro_cap_share", "Metro cap",
        "At most this share of a big-city firm's ESD workers may be movers from other areas (ESD: 1/6).", "select",
        ((NO_CAP, None), ("1/6 (ESD)", 0.16667), ("1/4", 0.25), ("1/3", 0.33334), ("1/2", 0.5), ("1 (not binding)", 1.0)),
    ),
    Lever(
        "policy.transfer.reimbursement_yen", "Cost sharing (yen)",
        "What the new employer pays the first one for recruiting and training costs (ESD: ¥400,000).", "int",
        low=0, high=1_000_000, step=50_000,
    ),
)

LEVER_BY_KEY = {lever.key: lever for lever in LEVERS}

@lru_cache(maxsize=1)
def esd_field_waits() -> dict[str, int]:
    """What the "two years in five fields" box sets: the ESD draft's longer waits, by field."""
    return dict(sim.shipped_scenario("esd").policy.transfer.waiting_months_by_field)


@lru_cache(maxsize=8)
def preset(name: str) -> Scenario:
    """A shipped scenario by name (cached: the files do not change while the page runs)."""
    if name not in SHIPPED:
        raise ScenarioError(f"preset {name!r}: not a shipped scenario; allowed: {', '.join(SHIPPED)}")
    return sim.shipped_scenario(name)


def _get(scenario: Scenario, dotted: str) -> Any:
    value: Any = scenario
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def levers_of(scenario: Scenario) -> dict[str, Any]:
    """The lever values a scenario has (the "two years in five fields" box: any longer wait set)."""
    values = {key: _get(scenario, key) for key in LEVER_BY_KEY}
    values["policy.transfer.waiting_months_by_field"] = bool(values["policy.transfer.waiting_months_by_field"])
    return values


def changes(preset_name: str, values: dict[str, Any]) -> dict[str, Any]:
    """The settings (dotted keys) that differ from the preset, ready for ``Scenario.with_changes``."""
    base = levers_of(preset(preset_name))
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in LEVER_BY_KEY:
            raise ScenarioError(f"lever {key!r}: not a lever of the dashboard")
        if _same(base[key], value):
            continue
        if key == "policy.transfer.waiting_months_by_field":
            value = esd_field_waits() if value else {}
        out[key] = value
    return out


#: The seeds the page's slider offers.
SEEDS = range(0, 100)


def received(settings: Settings, what: str, value: Any) -> Settings:
    """``settings`` with one value the page received from the browser (a lever's dotted key,
    ``"scale"`` or ``"seed"``), checked on the server against what its widget offers.

    Why here and not only in the widget: the browser is not to be trusted, and a websocket
    message can set a widget's value to anything (a number beyond the slider, text, a scale
    no slider offers). A value outside what the widget allows is refused with one line naming
    it and what is allowed, and the draft keeps its last good value; ``Settings.model_kwargs``
    then validates the whole as a scenario file is (ranges, contradictions, memory).

    Raises:
        ScenarioError: the value, and what is allowed.
    """
    if what == "scale":
        scale = _number_from(value)
        if scale is None or not any(math.isclose(scale, x) for x in SCALES):
            raise ScenarioError(f"run.scale = {_shown(value)}: allowed: one of {', '.join(map(str, SCALES))}")
        return replace(settings, scale=next(x for x in SCALES if math.isclose(scale, x)))
    if what == "seed":
        if not _whole(value) or value not in SEEDS:
            raise ScenarioError(f"seed = {_shown(value)}: allowed: a whole number from {SEEDS.start} to {SEEDS.stop - 1}")
        return replace(settings, seed=int(value))
    lever = LEVER_BY_KEY.get(what)
    if lever is None:
        raise ScenarioError(f"lever {_shown(what)}: not a lever of the dashboard")
    if lever.kind == "check":
        ok, allowed = isinstance(value, bool), "true or false"
    elif lever.kind == "select":
        offered = [v for _, v in lever.choices] + [levers_of(preset(settings.preset))[what]]
        ok = any(_same(v, value) and type(v) is type(value) for v in offered)
        allowed = "one of " + ", ".join(label for label, _ in lever.choices)
    else:
        whole = lever.kind == "int"
        number = value if (_whole(value) if whole else _number_from(value, text=False) is not None) else None
        ok = number is not None and lever.low <= number <= lever.high
        allowed = f"{'a whole number' if whole else 'a number'} from {lever.low:g} to {lever.high:g}"
    if not ok:
        raise ScenarioError(f"{what} = {_shown(value)}: out of range; allowed: {allowed}")
    return settings.with_lever(what, value)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number_from(value: Any, text: bool = True) -> float | None:
    """A finite number (or, with ``text``, the text of one: a Select's value), else None."""
    if isinstance(value, str) and text:
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + " ..."


#: The model class the page runs (its settings are ``**kwargs``, as SolaraViz's ``model_params`` expect).
Market = sim.LabourMarket


@dataclass(frozen=True)
class Settings:
    """Everything that makes one dashboard run: preset, lever values, scale and seed."""

    preset: str
    levers: tuple[tuple[str, Any], ...]
    scale: float = DEFAULT_SCALE
    seed: int = DEFAULT_SEED

    @classmethod
    def of_preset(cls, name: str, scale: float = DEFAULT_SCALE, seed: int = DEFAULT_SEED) -> Settings:
        return cls(name, tuple(levers_of(preset(name)).items()), scale, seed)

    def lever(self, key: str) -> Any:
        return dict(self.levers)[key]

    def with_lever(self, key: str, value: Any) -> Settings:
        return Settings(self.preset, tuple((k, value if k == key else v) for k, v in self.levers), self.scale, self.seed)

    def model_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of ``sim.LabourMarket`` for this run (Mesa's ``model_params``).

        Raises:
            ScenarioError: a value or combination the scenario rules do not allow (the message
                names the key, the value and what is allowed).
        """
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise ScenarioError(f"seed = {self.seed!r}: must be a whole number, 0 or more")
        dotted = {"run.scale": self.scale, **changes(self.preset, dict(self.levers))}
        try:
            scenario = preset(self.preset).with_changes(dotted)  # validates exactly as a scenario file is
        except ScenarioError as exc:
            raise ScenarioError(readable(str(exc))) from None
        check_memory(scenario, source=f"run.scale = {self.scale:g}")  # as 'tenseki run' does
        kwargs: dict[str, Any] = {"scenario": self.preset, "seed": self.seed, "log_transfers": True}
        kwargs.update({key.replace(".", "__"): value for key, value in dotted.items()})
        return kwargs

    def describe(self) -> str:
        """One line naming the preset and the levers moved away from it."""
        moved = changes(self.preset, dict(self.levers))
        text = PRESET_LABELS[self.preset]
        if moved:
            parts = []
            for key in moved:
                lever = LEVER_BY_KEY[key]
                value = self.lever(key)
                shown = lever.choice_label(value) if lever.kind == "select" else ("yes" if value is True else "no" if value is False else _plain(value))
                parts.append(f"{lever.label}: {shown}")
            text += " with " + "; ".join(parts)
        return text


def readable(message: str) -> str:
    """A validation message fit for the page: a whole table quoted as the value is cut out.

    A rule across settings (e.g. "ESD is a programme of at most 60 months") is reported on the
    table that holds them, and the message quotes that table in full; the rule itself says
    which setting it is about.
    """
    lines = []
    for line in message.splitlines():
        head, sep, rest = line.partition(" = {")
        if sep and ": " in rest:
            line = head + ": " + rest.rsplit("}: ", 1)[-1].removeprefix("Value error, ")
        lines.append(line)
    return "\n".join(lines)
