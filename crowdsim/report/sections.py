"""The planner's report, section by section, as plain content (:mod:`crowdsim.report.document`).

The order follows what a safety advisory group asks: the verdict first; the layouts; headline
figures with their intervals and the paired differences; the criteria; evacuation curves; exits;
crowding maps; exposure; the worst bottlenecks; the hand-calculation cross-check; convergence;
and the circumstances of the runs. :data:`SECTION_IDS` lists the sections' anchors.
"""

from __future__ import annotations

import math
from typing import Any

from crowdsim.report import figures as figs
from crowdsim.report.data import StudyData
from crowdsim.report.document import Block, Bullets, Document, Paragraph, Section, Table
from crowdsim.study.analysis import HEADLINES, Metric, ScenarioAnalysis
from crowdsim.study.stats import Interval, signed

#: Anchors of the report's sections, in order.
SECTION_IDS = (
    "verdict",
    "layouts",
    "headline-figures",
    "criteria",
    "evacuation-curves",
    "exits",
    "crowding-maps",
    "exposure",
    "bottlenecks",
    "hand-calculation",
    "convergence",
    "circumstances",
)

_STATISTICS = (
    "Statistics: means with studentized bootstrap intervals (seeded: the same runs give the "
    "same figures); medians and 95th percentiles with distribution-free order-statistic "
    "intervals (with fewer than 72 runs the upper end of a 95th percentile lies above the "
    "largest run: '> max'); differences paired run by run (the same seed gives the same people "
    "in every layout), Bonferroni-corrected for the number of layouts compared. Runs stopped "
    "by the time limit are censored: counted and shown, never averaged."
)


def build_document(data: StudyData) -> Document:
    """The whole report."""
    a = data.analysis
    study = data.meta.get("study") or {}
    title = f"Layout comparison: {a.name or study.get('venue', '')}"
    sections = [
        _verdict(data),
        _layouts(data),
        _headline(data),
        _criteria(data),
        _curves(data),
        _exits(data),
        _maps(data),
        _exposure(data),
        _bottlenecks(data),
        _hand(data),
        _convergence(data),
        _circumstances(data),
    ]
    return Document(title=title, sections=tuple(sections))


def _verdict(data: StudyData) -> Section:
    a = data.analysis
    study = data.meta.get("study") or {}
    blocks: list[Block] = [Paragraph(a.verdict or "No runs yet.", css="verdict")]
    if a.description:
        blocks.append(Paragraph(a.description))
    blocks.append(
        Paragraph(
            f"Venue: {study.get('venue', '')}. {study.get('venue_description', '')} "
            f"Baseline layout: {study.get('baseline', '')}. Scenarios: "
            + "; ".join(
                f"{s['name']} ({s['people']} people, pre-movement {s['premovement']}, time "
                f"limit {s['time_limit_s']:g} s)"
                for s in study.get("scenarios", [])
            )
            + "."
        )
    )
    blocks.append(Paragraph(_STATISTICS, css="note"))
    return Section("verdict", "Verdict", tuple(blocks))


def _layouts(data: StudyData) -> Section:
    geometry = data.meta.get("layouts") or {}
    rows = []
    for name, g in geometry.items():
        changes = [f"adds {a['name']} ({a['kind']})" for a in g.get("added", [])]
        changes += [f"removes {r['name']}" for r in g.get("removed", [])]
        changes += [f"closes {c['name']}" for c in g.get("closed_exits", [])]
        rows.append(
            (
                name,
                g.get("description", ""),
                ", ".join(f"{e['name']} ({e['width_m']:.2f} m)" for e in g.get("exits", [])),
                "; ".join(changes) or "—",
            )
        )
    blocks: list[Block] = [
        Table(("Layout", "Description", "Open exits (clear width)", "Changes"), tuple(rows))
    ]
    bounds = _bounds(data)
    if geometry and bounds:
        blocks.append(
            figs.figure(
                "layouts.png",
                figs.layouts_figure(geometry, bounds=bounds),
                "The layouts: open exits green, closed exits red, what a layout adds magenta, "
                "what it removes dashed, shelters dotted blue.",
            )
        )
    return Section("layouts", "The layouts", tuple(blocks))


def _headline(data: StudyData) -> Section:
    blocks: list[Block] = []
    for s in data.analysis.scenarios:
        rows = []
        for layout in s.layouts:
            f = s.figures[layout]
            t = f.summaries["evacuation_time_s"]
            p = f.summaries["p95_exit_time_s"]
            peak = f.summaries["max_density_pm2"]
            above4 = f.summaries["person_s_above_4pm2"]
            rows.append(
                (
                    layout,
                    f"{f.runs} ({f.completed} / {f.censored} / {f.failed})",
                    _mean(t.mean, t.censored),
                    _text(t.median, "s"),
                    _text(t.p95, "s"),
                    _mean(p.mean, p.censored),
                    _text(peak.median, "", 1),
                    _mean(above4.mean, above4.censored),
                )
            )
        blocks.append(
            Table(
                (
                    "Layout",
                    "Runs (completed / censored / failed)",
                    "Time until everybody is safe: mean",
                    "median",
                    "95th percentile of runs",
                    "95th-percentile exit time of the people: mean",
                    "Peak density, persons/m²: median",
                    "Person-seconds above 4 persons/m²: mean",
                ),
                tuple(rows),
                numeric=(2, 3, 4, 5, 6, 7),
                caption=f"Scenario «{s.name}». Every figure with its "
                f"{100 * data.analysis.level:.0f} % confidence interval.",
            )
        )
        blocks.append(_differences_table(s, data.analysis.level))
    return Section("headline-figures", "Headline figures", tuple(blocks))


def _differences_table(s: ScenarioAnalysis, level: float) -> Table:
    labels = {m.name: m for m in HEADLINES}
    rows = []
    for layout in s.layouts:
        if layout == s.baseline:
            continue
        cells = [layout]
        for metric in ("evacuation_time_s", "p95_exit_time_s", "person_s_above_4pm2"):
            d = s.difference(metric, layout)
            if d is None:
                cells.append("n/a")
                continue
            i = d.interval
            unit = labels[metric].unit
            said = (
                d.verdict(unit, "more", "less")
                if metric == "person_s_above_4pm2"
                else (d.verdict(unit))
            )
            cells.append(
                f"{d.statistic} {signed(i.value)} {unit} [{signed(i.low)}, {signed(i.high)}]: "
                + (said or "no significant difference")
            )
        rows.append(tuple(cells))
    m = max(1, len(s.layouts) - 1)
    return Table(
        (
            "Layout − baseline (paired by run)",
            "Time until everybody is safe",
            "95th-percentile exit time",
            "Person-seconds above 4 persons/m²",
        ),
        tuple(rows),
        caption=f"Differences from the baseline «{s.baseline}», "
        f"{100 * level:.0f} % family-wise intervals (Bonferroni, {m} comparison"
        f"{'s' if m > 1 else ''}); a verdict only where the interval excludes zero.",
    )


def _criteria(data: StudyData) -> Section:
    blocks: list[Block] = []
    any_criteria = False
    for s in data.analysis.scenarios:
        if not s.criteria:
            continue
        any_criteria = True
        rows = tuple(
            (
                f"{c.label} ≤ {c.limit:g} {c.unit}",
                c.layout,
                _text(c.p95, c.unit),
                f"{100 * c.exceed.value:.0f} % [{100 * c.exceed.low:.0f}, "
                f"{100 * c.exceed.high:.0f}]"
                if math.isfinite(c.exceed.value)
                else "n/a",
                "n/a" if c.passed is None else ("PASS" if c.passed else "FAIL"),
            )
            for c in s.criteria
        )
        blocks.append(
            Table(
                ("Criterion", "Layout", "95th percentile of runs", "P(exceed)", "Result"),
                rows,
                numeric=(2, 3),
                caption=f"Scenario «{s.name}». PASS where the 95th percentile of the runs is "
                "within the limit (IMO MSC.1/Circ.1533 judges the 95th percentile of at least 50 "
                "runs); P(exceed) is the share of runs beyond the limit with its exact "
                "(Clopper–Pearson) interval. Censored runs count as exceeding.",
            )
        )
    if not any_criteria:
        blocks.append(
            Paragraph(
                "The study file sets no criteria (e.g. max_evacuation_s = 480 for the Green "
                "Guide's 8 minutes).",
                css="note",
            )
        )
    return Section("criteria", "Criteria", tuple(blocks))


def _curves(data: StudyData) -> Section:
    blocks: list[Block] = []
    for k, s in enumerate(data.analysis.scenarios):
        bands = {lay: data.safe[(s.name, lay)] for lay in s.layouts if (s.name, lay) in data.safe}
        if not bands:
            continue
        blocks.append(
            figs.figure(
                f"curves-{k}.png",
                figs.curves(bands, ylabel="people safe (out or sheltered)", title=s.name),
                f"Scenario «{s.name}»: people safe over time, median of the runs with the band "
                "of the 5th to 95th percentile.",
            )
        )
    return Section("evacuation-curves", "Evacuation curves", tuple(blocks) or _no_runs())


def _exits(data: StudyData) -> Section:
    blocks: list[Block] = []
    for k, s in enumerate(data.analysis.scenarios):
        per_layout = {
            lay: data.exits[(s.name, lay)] for lay in s.layouts if (s.name, lay) in data.exits
        }
        if not per_layout:
            continue
        blocks.append(
            figs.figure(
                f"exits-{k}.png",
                figs.exit_bars(per_layout),
                f"Scenario «{s.name}»: people per exit (median over the runs).",
            )
        )
        rows = tuple(
            (
                layout,
                e.name,
                f"{e.width_m:.2f}",
                f"{e.people:.0f}",
                f"{100 * e.share:.0f} %",
                _num(e.flow_p_s, 2),
                _num(e.specific_flow_p_ms, 2),
                _num(e.clearance_s, 0),
                _num(e.max_queue, 0),
            )
            for layout, facts in per_layout.items()
            for e in facts
        )
        blocks.append(
            Table(
                (
                    "Layout",
                    "Exit",
                    "Width (m)",
                    "People",
                    "Share",
                    "Flow (persons/s)",
                    "Specific flow (persons/(m·s))",
                    "Last person through (s)",
                    "Longest queue (persons)",
                ),
                rows,
                numeric=(2, 3, 4, 5, 6, 7, 8),
                caption=f"Scenario «{s.name}», medians over the runs. Flow: people through the "
                "exit between its first and last user per second. Queue: people heading for the "
                "exit slower than half their desired speed.",
            )
        )
    return Section("exits", "Exits: usage and flow", tuple(blocks) or _no_runs())


def _maps(data: StudyData) -> Section:
    blocks: list[Block] = []
    bounds = _bounds(data)
    geometry = data.meta.get("layouts") or {}
    for k, s in enumerate(data.analysis.scenarios):
        maps = {lay: data.maps[(s.name, lay)] for lay in s.layouts if (s.name, lay) in data.maps}
        if not maps or not bounds:
            continue
        blocks.append(
            figs.figure(
                f"maps-{k}.png",
                figs.crowding_maps(maps, geometry, bounds=bounds),
                f"Scenario «{s.name}»: per 1 m cell, the highest local density and the seconds "
                "during which someone there stood above 2 and above 4 persons/m² (Fruin level "
                "of service E/F), means over the runs; what each layout adds is magenta, what "
                "it removes dashed, closed exits red.",
            )
        )
    return Section("crowding-maps", "Crowding maps", tuple(blocks) or _no_runs())


def _exposure(data: StudyData) -> Section:
    blocks: list[Block] = []
    for k, s in enumerate(data.analysis.scenarios):
        metrics: list[Metric] = [m for m in HEADLINES if m.name.startswith("person_s")]
        metrics += list(s.exposure)
        rows = tuple(
            (layout, *(_summary_cell(s, layout, m) for m in metrics)) for layout in s.layouts
        )
        blocks.append(
            Table(
                ("Layout", *(f"{m.label} ({m.unit})" for m in metrics)),
                rows,
                numeric=tuple(range(1, len(metrics) + 1)),
                caption=f"Scenario «{s.name}»: means over the runs with their intervals.",
            )
        )
        extra: dict[str, dict[str, Any]] = {}
        for layout in s.layouts:
            for name, band in data.series.get((s.name, layout), {}).items():
                extra.setdefault(name, {})[layout] = band
        for j, (name, bands) in enumerate(extra.items()):
            what = _series_label(name)
            blocks.append(
                figs.figure(
                    f"exposure-{k}-{j}.png",
                    figs.curves(bands, ylabel=what, title=s.name),
                    f"Scenario «{s.name}»: {what} over time (median, 5th–95th percentile band).",
                )
            )
    return Section("exposure", "Exposure", tuple(blocks) or _no_runs())


def _bottlenecks(data: StudyData) -> Section:
    blocks: list[Block] = []
    for s in data.analysis.scenarios:
        rows = []
        for layout in s.layouts:
            b = s.bottlenecks[layout]
            where = (
                f"({b.peak_xy_m[0]:.1f}, {b.peak_xy_m[1]:.1f}) in {100 * b.peak_share:.0f} % "
                "of runs"
                if b.peak_xy_m
                else "n/a"
            )
            rows.append(
                (
                    layout,
                    _num(b.peak_pm2, 1),
                    where,
                    _num(b.peak_time_s, 0),
                    b.exit or "n/a",
                    _num(b.max_queue, 0),
                    _num(b.queue_person_s, 0),
                )
            )
        blocks.append(
            Table(
                (
                    "Layout",
                    "Peak density (persons/m²)",
                    "Where (x, y in m)",
                    "When (s)",
                    "Exit queueing longest",
                    "Its longest queue (persons)",
                    "Its queueing (person-seconds)",
                ),
                tuple(rows),
                numeric=(1, 3, 5, 6),
                caption=f"Scenario «{s.name}», medians over the runs.",
            )
        )
    return Section("bottlenecks", "Worst bottlenecks", tuple(blocks) or _no_runs())


def _hand(data: StudyData) -> Section:
    settings = (data.meta.get("study") or {}).get("hand_calculation", {})
    fs = settings.get("specific_flow_p_ms", 1.3)
    b = settings.get("boundary_layer_m", 0.15)
    margin = settings.get("margin_pct", 25.0)
    blocks: list[Block] = [
        Paragraph(
            "Capacity method (SFPE Handbook, hydraulic model; BS PD 7974-6): effective width "
            f"of each open exit = clear width − 2 × {b:g} m boundary layer (SFPE, door jambs); "
            f"flow time = people / ({fs:g} persons/(m·s) × Σ effective widths), {fs:g} being the "
            "maximum specific flow for doors and corridors of the SFPE Handbook and IMO "
            "MSC.1/Circ.1533; walking times at each person's desired speed along the walking "
            "distance to their nearest exit. Hand-calculated time = max(99th-percentile "
            "pre-movement + farthest walk, 1st-percentile pre-movement + nearest walk + flow "
            f"time). Differences beyond ±{margin:g} % are flagged with their likely reasons."
        )
    ]
    for s in data.analysis.scenarios:
        rows = []
        notes = []
        for h in s.hand:
            t = h.terms
            if not h.applies:
                rows.append((h.layout, *(["—"] * 8), f"not applicable: {h.reason}"))
                continue
            clear = sum(e[1] for e in t.get("exits", []))
            rows.append(
                (
                    h.layout,
                    f"{t['people']}",
                    f"{clear:.2f} / {t['effective_width_m']:.2f}",
                    f"{t['flow_time_s']:.0f}",
                    f"{t['far_distance_m']:.0f} m, {t['walk_far_s']:.0f} s",
                    f"{t['premovement_1_s']:.0f} / {t['premovement_99_s']:.0f}",
                    _num(h.hand_s, 0),
                    _num(h.simulated_s, 0),
                    f"{h.difference_pct:+.0f} %" if math.isfinite(h.difference_pct) else "n/a",
                    ("FLAG: " if h.flagged else "within the margin")
                    + ("; ".join(h.reasons) if h.flagged else ""),
                )
            )
            if h.flagged:
                notes.append(f"«{h.layout}»: " + "; ".join(h.reasons) + ".")
        blocks.append(
            Table(
                (
                    "Layout",
                    "People",
                    "Exit width, clear / effective (m)",
                    "Flow time (s)",
                    "Farthest walk",
                    "Pre-movement 1 % / 99 % (s)",
                    "Hand calculation (s)",
                    "Simulation, median (s)",
                    "Difference",
                    "Check",
                ),
                tuple(rows),
                numeric=(1, 3, 6, 7, 8),
                caption=f"Scenario «{s.name}»: people and pre-movement as drawn for the first run "
                "(the same in every layout).",
            )
        )
        if notes:
            blocks.append(Bullets(tuple(notes)))
    return Section("hand-calculation", "Hand-calculation cross-check", tuple(blocks))


def _convergence(data: StudyData) -> Section:
    a = data.analysis
    execution = data.meta.get("execution") or {}
    blocks: list[Block] = []
    target = execution.get("until_ci_pct")
    if target:
        state = "reached" if execution.get("converged") else "not reached"
        blocks.append(
            Paragraph(
                f"Runs were added until the 95th-percentile evacuation time of every layout was "
                f"known to ±{target:g} % or {execution.get('max_runs')} runs: {state} after "
                f"{execution.get('runs')} runs per layout."
            )
        )
    for k, s in enumerate(a.scenarios):
        rows = {lay: s.convergence[lay] for lay in s.layouts}
        blocks.append(
            figs.figure(
                f"convergence-{k}.png",
                figs.convergence(rows, level=a.level),
                f"Scenario «{s.name}»: the 95th percentile of the evacuation times of the "
                f"first n runs, with its {100 * a.level:.0f} % interval.",
            )
        )
        half = []
        for lay in s.layouts:
            p95 = s.figures[lay].summaries["evacuation_time_s"].p95
            half.append(
                (
                    lay,
                    _text(p95, "s"),
                    "open (too few runs)"
                    if p95 is None or not math.isfinite(p95.half_width_pct)
                    else f"±{p95.half_width_pct:.1f} %",
                )
            )
        blocks.append(
            Table(
                ("Layout", "95th percentile of runs", "Interval half-width"),
                tuple(half),
                numeric=(1, 2),
            )
        )
    return Section("convergence", "Convergence", tuple(blocks))


def _circumstances(data: StudyData) -> Section:
    study = data.meta.get("study") or {}
    execution = data.meta.get("execution") or {}
    versions = study.get("versions", {})
    machine = study.get("machine", {})
    frame = data.frame
    seeds = sorted(int(s) for s in frame["seed"].unique()) if len(frame) else []
    wall = float(frame["wall_time_s"].sum()) if len(frame) else 0.0
    timing = {
        c: float(frame[c].sum()) for c in ("navigation_s", "setup_s", "simulation_s", "metrics_s")
        if c in frame
    }  # fmt: skip
    items = [
        f"crowdsim {versions.get('crowdsim', '?')}; "
        + ", ".join(f"{k} {v}" for k, v in versions.items() if k != "crowdsim"),
        f"Study file: {study.get('source', '?')}; venue file: {study.get('venue_source', '?')}.",
        f"Runs: {len(frame)} stored; {execution.get('runs', study.get('runs', '?'))} per layout "
        f"and scenario; seeds {seeds[0]}–{seeds[-1]} (run i has seed {study.get('seed', 1)} + i "
        "in every layout)."
        if seeds
        else "Runs: none stored.",
        f"Executor: {execution.get('executor', '?')}; wall time of the last command "
        f"{execution.get('wall_time_s', 0):.0f} s; compute time of all runs {wall:.0f} s "
        + "("
        + ", ".join(f"{k.removesuffix('_s')} {v:.0f} s" for k, v in timing.items())
        + f"); kernels ready in {execution.get('kernel_warm_up_s', 0):.1f} s.",
        f"Machine: {machine.get('host', '?')}, {machine.get('processor', '?')}, "
        f"{machine.get('cores', '?')} logical cores, {machine.get('platform', '?')}; load "
        f"{machine.get('load_1min', '?')} at the start.",
        f"Finished: {execution.get('finished', '?')}; command: {execution.get('command', '?')}.",
        f"Model settings: step {_first(study, 'step_s')} s, integration step "
        f"{_first(study, 'dt_s')} s; social-force parameters as in the scenario files.",
    ]
    return Section("circumstances", "Circumstances", (Bullets(tuple(items)),))


def _summary_cell(s: ScenarioAnalysis, layout: str, metric: Metric) -> str:
    summary = s.figures[layout].summaries.get(metric.name)
    if summary is None or summary.runs == 0:
        return "n/a"
    return _mean(summary.mean, summary.censored, metric.digits)


def _mean(i: Interval | None, censored: int, digits: int = 0) -> str:
    if i is None:
        return f"n/a ({censored} censored)" if censored else "n/a"
    return i.text("", digits)


def _text(i: Interval | None, unit: str, digits: int = 0) -> str:
    return "n/a" if i is None else i.text("", digits)


def _num(x: float, digits: int) -> str:
    return f"{x:.{digits}f}" if math.isfinite(x) else "n/a"


def _series_label(name: str) -> str:
    if name == "unprotected":
        return "people unprotected"
    kind, _, what = name.partition(":")
    return f"occupancy of shelter {what}" if kind == "shelter" else f"queue at {what}"


def _bounds(data: StudyData) -> list[float] | None:
    geometry = data.meta.get("layouts") or {}
    for g in geometry.values():
        return list(g["bounds"])
    return None


def _first(study: dict[str, Any], key: str) -> Any:
    scenarios = study.get("scenarios") or [{}]
    return scenarios[0].get(key, "?")


def _no_runs() -> tuple[Block, ...]:
    return (Paragraph("No runs with details yet.", css="note"),)
