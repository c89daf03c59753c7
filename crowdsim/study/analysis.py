"""What a study's runs say: figures with intervals, paired differences, criteria, cross-checks.

:func:`analyse` turns the results table of a study (one row per run) and what the study stored
about itself into an :class:`Analysis`: per scenario and layout the headline figures with their
intervals (:mod:`crowdsim.study.stats`), each layout's paired difference from the baseline with
a verdict where it is significant, the criteria as PASS / FAIL with the probability of
exceeding them, the worst bottlenecks, the hand-calculation cross-check with the likely reasons
for a difference, the convergence of the 95th percentile, and a one-paragraph verdict. Reports
render it; it does no simulation.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crowdsim.study.plan import LAYOUT, RUN, SCENARIO
from crowdsim.study.record import COMPLETED, ERROR, TIME_LIMIT
from crowdsim.study.stats import (
    LEVEL,
    MIN_PAIRS,
    Difference,
    Interval,
    Summary,
    exceedance,
    paired_difference,
    quantile_ci,
    running_quantile,
    signed,
    summarise,
)

#: Bottleneck experiments' specific flows (persons/(m·s)) crowdsim's door flows are calibrated
#: to (Kretz 2006, Seyfried 2009, Liao 2014).
EXPERIMENT_FLOW_P_MS = (1.9, 2.4)


@dataclass(frozen=True)
class Metric:
    """A figure of a run the report shows.

    Attributes:
        name: Column of the results table.
        label: How the report names it.
        unit: Its unit.
        digits: Decimals shown.
    """

    name: str
    label: str
    unit: str
    digits: int = 0


#: Figures every comparison shows (lower is better for each).
HEADLINES = (
    Metric("evacuation_time_s", "time until everybody is safe", "s"),
    Metric("p95_exit_time_s", "95th-percentile exit time of the people", "s"),
    Metric("max_density_pm2", "peak local density", "persons/m²", 1),
    Metric("person_s_above_2pm2", "person-seconds above 2 persons/m²", "p·s"),
    Metric("person_s_above_4pm2", "person-seconds above 4 persons/m²", "p·s"),
)
#: Exposure figures, shown where the runs have them.
EXPOSURE = (
    Metric("unprotected", "people left unprotected at the end", "persons"),
    Metric("sheltered", "people sheltered", "persons"),
    Metric("hazard_person_s", "person-seconds in hazard areas", "p·s"),
    Metric("unprotected_person_s_above_4pm2", "unprotected person-seconds above 4/m²", "p·s"),
    Metric("mean_wait_s", "mean screening wait", "s"),
    Metric("max_wait_s", "longest screening wait", "s"),
)
#: Figures compared run by run with the baseline.
COMPARED = ("evacuation_time_s", "p95_exit_time_s", "person_s_above_4pm2")


@dataclass(frozen=True)
class LayoutFigures:
    """One layout's runs of one scenario.

    Attributes:
        layout: Layout name.
        runs: Runs stored.
        completed: Runs in which everybody reached safety.
        censored: Runs stopped by the time limit.
        failed: Runs that ended in an error.
        summaries: Metric → its summary over the runs.
        errors: The distinct error messages.
    """

    layout: str
    runs: int
    completed: int
    censored: int
    failed: int
    summaries: dict[str, Summary]
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class CriterionOutcome:
    """A criterion of the study judged for one layout.

    Attributes:
        key: Its key in the study file.
        label: What it limits.
        unit: Unit of the limit.
        limit: The limit.
        layout: The layout judged.
        p95: 95th percentile of the metric over the runs, with its interval.
        exceed: Share of runs above the limit, with its interval.
        passed: True if the 95th percentile is within the limit (None: no runs).
    """

    key: str
    label: str
    unit: str
    limit: float
    layout: str
    p95: Interval | None
    exceed: Interval
    passed: bool | None


@dataclass(frozen=True)
class HandCheck:
    """Simulation against the capacity method for one layout.

    Attributes:
        layout: The layout.
        applies: Whether the hand calculation applies to the scenario.
        reason: Why not, if not.
        hand_s: Hand-calculated evacuation time (s).
        simulated_s: Median simulated time until everybody was out (s).
        difference_pct: (simulated − hand) / hand, in %.
        flagged: Whether the difference exceeds the study's margin.
        reasons: The likely reasons, for a flagged difference.
        terms: The hand calculation's terms (people, widths, flow and walking times...).
    """

    layout: str
    applies: bool
    reason: str = ""
    hand_s: float = math.nan
    simulated_s: float = math.nan
    difference_pct: float = math.nan
    flagged: bool = False
    reasons: tuple[str, ...] = ()
    terms: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Bottleneck:
    """Where and when a layout's crowd gets densest, and which exit queues longest.

    Attributes:
        layout: The layout.
        peak_pm2: Median over runs of the run's peak local density (persons/m²).
        peak_time_s: Median time of the peak (s).
        peak_xy_m: The 1 m cell where the peak occurred most often (its centre).
        peak_share: Share of runs that peaked in that cell.
        exit: The exit with the most person-seconds of queueing (median over runs).
        queue_person_s: Its median person-seconds of queueing.
        max_queue: Its median longest queue (persons).
    """

    layout: str
    peak_pm2: float
    peak_time_s: float
    peak_xy_m: tuple[float, float] | None
    peak_share: float
    exit: str | None
    queue_person_s: float
    max_queue: float


@dataclass(frozen=True)
class ScenarioAnalysis:
    """A scenario's layouts side by side.

    Attributes:
        name: Scenario name.
        baseline: The baseline layout.
        layouts: Layouts in the study's order.
        figures: Layout → its figures.
        differences: Metric → one paired difference per non-baseline layout.
        criteria: Every criterion for every layout.
        hand: One cross-check per layout.
        bottlenecks: Layout → its worst bottleneck.
        convergence: Layout → running 95th percentile of the evacuation time (rows of runs,
            estimate, lower and upper end).
        exposure: Exposure metrics the runs have.
    """

    name: str
    baseline: str
    layouts: tuple[str, ...]
    figures: dict[str, LayoutFigures]
    differences: dict[str, list[Difference]]
    criteria: list[CriterionOutcome]
    hand: list[HandCheck]
    bottlenecks: dict[str, Bottleneck]
    convergence: dict[str, np.ndarray]
    exposure: tuple[Metric, ...]

    def difference(self, metric: str, layout: str) -> Difference | None:
        """The paired difference of ``layout`` from the baseline in ``metric``."""
        return next((d for d in self.differences.get(metric, []) if d.layout == layout), None)


@dataclass(frozen=True)
class Analysis:
    """A whole study.

    Attributes:
        name: Study name.
        description: Its description.
        meta: What the study stored about itself (definition, geometry, circumstances).
        scenarios: One analysis per scenario.
        verdict: The one-paragraph verdict.
        level: Confidence level of every interval.
    """

    name: str
    description: str
    meta: dict[str, Any]
    scenarios: list[ScenarioAnalysis]
    verdict: str
    level: float = LEVEL


def analyse(frame: pd.DataFrame, meta: dict[str, Any], *, level: float = LEVEL) -> Analysis:
    """The analysis of a study's results.

    Args:
        frame: The study's runs (:meth:`ResultStore.frame` of its plan).
        meta: What the study stored (``study``, ``layouts``, ``handcalc``, ``execution``).
        level: Confidence level.
    """
    study = meta.get("study") or {}
    layouts = tuple(study.get("layouts") or sorted(frame[LAYOUT].unique()))
    baseline = study.get("baseline") or layouts[0]
    names = [s["name"] for s in study.get("scenarios", [])] or sorted(frame[SCENARIO].unique())
    scenarios = [
        _scenario(
            frame[frame[SCENARIO] == name] if SCENARIO in frame else frame.iloc[:0],
            name=name,
            layouts=layouts,
            baseline=baseline,
            criteria=(study.get("criteria") or {}).get(name, []),
            hand=(meta.get("handcalc") or {}).get(name, {}),
            level=level,
        )
        for name in names
    ]
    return Analysis(
        name=study.get("name", ""),
        description=study.get("description", ""),
        meta=meta,
        scenarios=scenarios,
        verdict=verdict(scenarios, study, level=level),
        level=level,
    )


def _scenario(
    rows: pd.DataFrame,
    *,
    name: str,
    layouts: tuple[str, ...],
    baseline: str,
    criteria: list[dict[str, Any]],
    hand: dict[str, Any],
    level: float,
) -> ScenarioAnalysis:
    by_layout = {lay: rows[rows[LAYOUT] == lay] for lay in layouts}
    exposure = tuple(m for m in EXPOSURE if m.name in rows and rows[m.name].notna().any())
    figures = {
        lay: _figures(r, lay, (*HEADLINES, *exposure), level) for lay, r in by_layout.items()
    }
    others = [lay for lay in layouts if lay != baseline]
    differences: dict[str, list[Difference]] = {}
    for metric in COMPARED:
        base = metric_values(by_layout[baseline], metric)
        found = []
        for lay in others:
            a, b = _paired(by_layout[baseline], by_layout[lay], metric)
            diff = paired_difference(
                a, b, layout=lay, baseline_name=baseline, comparisons=len(others), level=level
            )
            if diff is not None and len(base):
                found.append(diff)
        differences[metric] = found
    applies = [c for c in criteria if c["metric"] in rows and _measured(rows, c["metric"])]
    outcomes = [
        _criterion(c, lay, metric_values(by_layout[lay], c["metric"]), level)
        for c in applies
        for lay in layouts
    ]
    return ScenarioAnalysis(
        name=name,
        baseline=baseline,
        layouts=layouts,
        figures=figures,
        differences=differences,
        criteria=outcomes,
        hand=[_hand_check(lay, by_layout[lay], hand.get(lay, {})) for lay in layouts],
        bottlenecks={lay: _bottleneck(lay, r) for lay, r in by_layout.items()},
        convergence={
            lay: running_quantile(metric_values(r, "evacuation_time_s"), 0.95, level=level)
            for lay, r in by_layout.items()
        },
        exposure=exposure,
    )


def _figures(
    rows: pd.DataFrame, layout: str, metrics: tuple[Metric, ...], level: float
) -> LayoutFigures:
    status = rows["status"] if "status" in rows else pd.Series(dtype=str)
    errors = tuple(sorted({str(e) for e in rows.loc[status == ERROR, "error"]}))
    return LayoutFigures(
        layout=layout,
        runs=len(rows),
        completed=int((status == COMPLETED).sum()),
        censored=int((status == TIME_LIMIT).sum()),
        failed=int((status == ERROR).sum()),
        summaries={m.name: summarise(metric_values(rows, m.name), level=level) for m in metrics},
        errors=errors,
    )


def _paired(base: pd.DataFrame, other: pd.DataFrame, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """Values of the runs both layouts have, matched by run number (the same seed)."""
    runs = sorted(set(base["run"]) & set(other["run"])) if len(base) and len(other) else []
    a = metric_values(base[base["run"].isin(runs)], metric)
    b = metric_values(other[other["run"].isin(runs)], metric)
    return a, b


def _criterion(
    c: dict[str, Any], layout: str, values: np.ndarray, level: float
) -> CriterionOutcome:
    finite = values[~np.isnan(values)]
    p95 = quantile_ci(finite, 0.95, level=level) if len(finite) else None
    return CriterionOutcome(
        key=c["key"],
        label=c["label"],
        unit=c["unit"],
        limit=float(c["limit"]),
        layout=layout,
        p95=p95,
        exceed=exceedance(values, float(c["limit"]), level=level),
        passed=None if p95 is None else bool(p95.value <= c["limit"]),
    )


def _hand_check(layout: str, rows: pd.DataFrame, hand: dict[str, Any]) -> HandCheck:
    if not hand.get("applies"):
        return HandCheck(layout, False, reason=hand.get("reason", "not computed"), terms=hand)
    done = rows[rows["status"] == COMPLETED] if len(rows) else rows
    if done.empty:
        return HandCheck(layout, True, reason="no completed runs", terms=hand)
    simulated = float(done["evacuation_time_s"].median())
    total = float(hand["total_s"])
    diff = 100.0 * (simulated - total) / total
    margin = float(hand["settings"]["margin_pct"])
    flagged = abs(diff) > margin
    return HandCheck(
        layout,
        True,
        hand_s=total,
        simulated_s=simulated,
        difference_pct=diff,
        flagged=flagged,
        reasons=_reasons(done, hand, simulated > total) if flagged else (),
        terms=hand,
    )


def _reasons(done: pd.DataFrame, hand: dict[str, Any], slower: bool) -> tuple[str, ...]:
    """The likely reasons the simulation differs from the capacity method."""
    exits = hand["exits"]  # [name, clear width, effective width]
    people = {name: _median(done, f"per_exit:{name}") for name, _, _ in exits}
    flows = {name: _median(done, f"per_exit_flow_p_s:{name}") for name, _, _ in exits}
    clear = sum(w for _, w, _ in exits)
    effective = float(hand["effective_width_m"])
    total_flow = sum(f for f in flows.values() if math.isfinite(f))
    fs = float(hand["settings"]["specific_flow_p_ms"])
    out = []
    if not slower:
        if total_flow > fs * effective:
            out.append(
                f"the exits pass {total_flow / clear:.2f} persons/(m·s) of clear width "
                f"({total_flow / effective:.2f} of effective width) while busy, more than the "
                f"{fs:g} of the hand calculation: crowdsim's door flows are calibrated to the "
                f"{EXPERIMENT_FLOW_P_MS[0]}–{EXPERIMENT_FLOW_P_MS[1]} persons/(m·s) measured in "
                "bottleneck experiments (Kretz 2006, Seyfried 2009, Liao 2014); the SFPE/IMO "
                "figure is a conservative design flow"
            )
        if float(hand["premovement_99_s"]) > _median(done, "premovement_max_s", default=0.0):
            out.append("pre-movement: the hand calculation's 99th percentile is conservative")
        return tuple(out) or ("the hand calculation's terms add up conservatively",)
    total_people = sum(v for v in people.values() if math.isfinite(v)) or 1.0
    worst = max(
        exits, key=lambda e: (people[e[0]] / total_people) / (e[2] / effective) if e[2] else 0
    )
    share_people = people[worst[0]] / total_people
    share_width = worst[2] / effective if effective else 0.0
    if share_width and share_people / share_width > 1.25:
        out.append(
            f"route choice: {100 * share_people:.0f} % of the people left by «{worst[0]}», "
            f"which has {100 * share_width:.0f} % of the effective exit width (people head for "
            "their nearest exit; the capacity method assumes every exit is used in proportion "
            "to its width)"
        )
    queues = {name: _median(done, f"queue_person_s:{name}") for name, _, _ in exits}
    busiest = max(queues, key=lambda k: queues[k] if math.isfinite(queues[k]) else -1.0)
    if math.isfinite(queues[busiest]) and queues[busiest] > 0:
        longest = _median(done, f"max_queue:{busiest}")
        out.append(
            f"queues: the longest at «{busiest}» (median {longest:.0f}"
            f" people, {queues[busiest]:.0f} person-seconds of queueing): flow at a congested "
            "door falls below the steady flow the capacity method assumes"
        )
    if total_flow and total_flow < fs * effective:
        out.append(
            f"the exits pass {total_flow / effective:.2f} persons/(m·s) of effective width "
            f"while busy, less than the hand calculation's {fs:g}"
        )
    pre = _median(done, "premovement_max_s", default=math.nan)
    if math.isfinite(pre) and pre > float(hand["premovement_99_s"]):
        out.append(
            f"pre-movement: the last person started at {pre:.0f} s (median), later than the "
            f"hand calculation's 99th percentile, {float(hand['premovement_99_s']):.0f} s"
        )
    return tuple(out) or ("congestion away from the exits (corners, barriers, counterflow)",)


def _bottleneck(layout: str, rows: pd.DataFrame) -> Bottleneck:
    peak = _median(rows, "max_density_pm2")
    when = _median(rows, "peak_density_time_s")
    cells: Counter[tuple[float, float]] = Counter()
    if "peak_density_x_m" in rows:
        for x, y in zip(rows["peak_density_x_m"], rows["peak_density_y_m"], strict=True):
            if pd.notna(x) and pd.notna(y):
                cells[(round(float(x), 1), round(float(y), 1))] += 1
    where, count = cells.most_common(1)[0] if cells else (None, 0)
    queues = {
        c.split(":", 1)[1]: _median(rows, c)
        for c in rows.columns
        if c.startswith("queue_person_s:")
    }
    finite = {k: v for k, v in queues.items() if math.isfinite(v)}
    busiest = max(finite, key=lambda k: finite[k]) if finite else None
    return Bottleneck(
        layout=layout,
        peak_pm2=peak,
        peak_time_s=when,
        peak_xy_m=where,
        peak_share=count / max(1, len(rows)),
        exit=busiest,
        queue_person_s=finite.get(busiest, math.nan) if busiest else math.nan,
        max_queue=_median(rows, f"max_queue:{busiest}") if busiest else math.nan,
    )


def verdict(scenarios: list[ScenarioAnalysis], study: dict[str, Any], *, level: float) -> str:
    """The one-paragraph verdict at the top of the report."""
    parts = []
    pct = f"{100 * level:.0f} %"
    for s in scenarios:
        base = s.figures.get(s.baseline)
        if base is None or base.runs == 0:
            parts.append(f"Scenario «{s.name}»: no runs yet.")
            continue
        fewest = min(f.runs for f in s.figures.values())
        most = max(f.runs for f in s.figures.values())
        runs = f"{fewest}" if fewest == most else f"{fewest}–{most}"
        text = [f"Scenario «{s.name}», {len(s.layouts)} layouts × {runs} runs."]
        t = base.summaries["evacuation_time_s"]
        if t.mean is not None:
            text.append(
                f"With the baseline «{s.baseline}» everybody is safe after "
                f"{t.mean.text('s')} on average; the 95th percentile of the runs is "
                f"{t.p95.text('s') if t.p95 else 'n/a'}."
            )
        elif t.median is not None:
            text.append(
                f"With the baseline «{s.baseline}» the median time until everybody is safe is "
                f"{t.median.text('s')} ({t.censored} of {t.runs} runs hit the time limit)."
            )
        same, found = [], []
        for d in s.differences.get("evacuation_time_s", []):
            said = d.verdict("s")
            if said:
                found.append(f"«{d.layout}» is {said}")
            else:
                i = d.interval
                same.append(
                    f"«{d.layout}» ({signed(i.value)} s [{signed(i.low)}, {signed(i.high)}])"
                )
        if found:
            text.append("; ".join(found) + ".")
        if same:
            text.append("No significant difference from the baseline for " + ", ".join(same) + ".")
        compared = {d.layout for d in s.differences.get("evacuation_time_s", [])}
        too_few = [f"«{lay}»" for lay in s.layouts if lay != s.baseline and lay not in compared]
        if too_few:
            text.append(
                f"Too few paired runs (fewer than {MIN_PAIRS}) to compare "
                + ", ".join(too_few)
                + " with the baseline."
            )
        m = max(1, len(s.layouts) - 1)
        corrected = f", Bonferroni-corrected for {m} comparisons" if m > 1 else ""
        text.append(
            f"({pct} confidence{corrected}; runs paired by seed, so every layout meets the "
            "same people.)"
        )
        for key in dict.fromkeys(c.key for c in s.criteria):
            mine = [c for c in s.criteria if c.key == key]
            failed = [c for c in mine if c.passed is False]
            first = mine[0]
            if failed:
                worst = ", ".join(
                    f"«{c.layout}» (P(exceed) = {100 * c.exceed.value:.0f} % "
                    f"[{100 * c.exceed.low:.0f}, {100 * c.exceed.high:.0f}])"
                    for c in failed
                )
                text.append(
                    f"Criterion {first.label} ≤ {first.limit:g} {first.unit}: FAIL for {worst}"
                    + (", PASS for the others." if len(failed) < len(mine) else ".")
                )
            elif all(c.passed for c in mine):
                text.append(
                    f"Criterion {first.label} ≤ {first.limit:g} {first.unit}: PASS for every "
                    "layout (95th percentile of the runs within the limit)."
                )
        worst_b = max(
            s.bottlenecks.values(),
            key=lambda b: b.peak_pm2 if math.isfinite(b.peak_pm2) else -1.0,
        )
        if math.isfinite(worst_b.peak_pm2):
            where = (
                f" near ({worst_b.peak_xy_m[0]:.0f} m, {worst_b.peak_xy_m[1]:.0f} m)"
                if worst_b.peak_xy_m
                else ""
            )
            text.append(
                f"Densest crowd: «{worst_b.layout}», {worst_b.peak_pm2:.1f} persons/m² (median "
                f"peak){where} at about {worst_b.peak_time_s:.0f} s."
            )
        censored = [f"«{f.layout}» {f.censored}" for f in s.figures.values() if f.censored]
        failed_runs = [f"«{f.layout}» {f.failed}" for f in s.figures.values() if f.failed]
        if censored:
            text.append(
                "Runs stopped by the time limit (censored: counted, never averaged): "
                + ", ".join(censored)
                + "."
            )
        if failed_runs:
            text.append("Runs that failed: " + ", ".join(failed_runs) + ".")
        parts.append(" ".join(text))
    return " ".join(parts)


def metric_values(rows: pd.DataFrame, metric: str) -> np.ndarray:
    """One value per run, in run order.

    ``inf`` where the time limit cut a time off (censored), NaN for failed runs and runs
    without the metric.
    """
    rows = rows.sort_values(RUN) if RUN in rows else rows
    if metric not in rows:
        return np.full(len(rows), np.nan)
    values = pd.to_numeric(rows[metric], errors="coerce").to_numpy(float)
    censored = (rows["status"] == TIME_LIMIT).to_numpy() & np.isnan(values)
    return np.where(censored, np.inf, values)


def _measured(rows: pd.DataFrame, metric: str) -> bool:
    """Whether any run measured ``metric`` (a censored time counts as measured)."""
    values = metric_values(rows, metric)
    return bool(len(values)) and not np.isnan(values).all()


def _median(rows: pd.DataFrame, column: str, default: float = math.nan) -> float:
    if column not in rows or rows.empty:
        return default
    values = pd.to_numeric(rows[column], errors="coerce").dropna()
    return float(values.median()) if len(values) else default
