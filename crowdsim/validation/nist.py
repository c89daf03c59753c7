"""NIST Technical Note 1822 and IMO MSC.1/Circ.1533 verification tests.

NIST TN 1822 (Ronchi, Kuligowski, Reneke, Peacock, Nilsson 2013) lists verification tests for
evacuation models; IMO MSC.1/Circ.1533 (2016) is the maritime guideline. Test 1.1 checks the
pre-evacuation time distributions, test 2.8 counter-flow in a corridor, test 5.1 the
congestion in front of a door, IMO test 4 / NIST 5.2 the flow through a door (reported as an
informative comparison) and IMO 4b the door-flow limit of 1.33 persons/s when it is applied.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
from scipy import stats
from shapely.geometry import LineString, box

from crowdsim.model.scenario import Scenario
from crowdsim.study import build
from crowdsim.validation.figures import new_figure, nt_figure, to_figure, venue_figure
from crowdsim.validation.measure import (
    Flow,
    entry_times_by_id,
    mean_density,
    measure_flow,
    steady_rate,
)
from crowdsim.validation.reference import ALPHA, MEASURED_SPECIFIC_FLOW, scipy_distribution
from crowdsim.validation.registry import (
    CheckContext,
    Figure,
    Measurement,
    Outcome,
    Verdict,
    register,
)
from crowdsim.validation.simulate import (
    SimRun,
    run_scenario,
    validation_scenario,
)

#: Scenario files of NIST test 1.1, by distribution.
NIST_1_1 = {
    "uniform(10, 100) s": "nist_1_1_uniform.toml",
    "gamma(shape 1.291, scale 103.901 s)": "nist_1_1_gamma.toml",
    "log-normal(μ 4.586, σ 0.967)": "nist_1_1_lognormal.toml",
    "Weibull(scale 139.285 s, shape 1.195)": "nist_1_1_weibull.toml",
}
#: IMO MSC.1/Circ.1533 test 4: the flow through a 1 m door should not exceed 1.33 persons/s.
IMO_DOOR_FLOW_1_S = 1.33

_DOOR_LINE = LineString([(8.2, 3.0), (8.2, 2.0)])
_BEFORE = box(6.0, 1.5, 8.0, 3.5)
_AFTER = box(8.2, 1.5, 10.2, 3.5)


@register(
    "NIST 1.1",
    title="Pre-evacuation time distributions",
    source="NIST Technical Note 1822, test 1.1",
    setup="""1,000 people in the RiMEA 9 hall get pre-movement times from each of the four NIST
    distributions (scenarios experiments/validation/nist_1_1_*.toml): uniform(10, 100) s,
    gamma(shape 1.291, scale 103.901 s), log-normal(μ = 4.586, σ = 0.967) and Weibull(scale
    139.285 s, shape 1.195). The start times are read from the model as built for each seed
    (RiMEA 5 checks that people start at these times).""",
    criterion="""For every distribution and seed the 1,000 start times pass a one-sample
    Kolmogorov–Smirnov test against the named distribution (scipy.stats) at a family-wise
    level of 5 % (Bonferroni over all tests).""",
    quick=True,
)
def nist_1_1(ctx: CheckContext) -> Outcome:
    """NIST TN 1822 test 1.1."""
    alpha = ALPHA / (len(NIST_1_1) * len(ctx.seeds))
    measurements: list[Measurement] = []
    samples: dict[str, tuple[np.ndarray, stats.rv_continuous]] = {}
    passed = True
    for label, file in NIST_1_1.items():
        scenario = validation_scenario(file)
        reference = scipy_distribution(scenario.population.premovement)
        for seed in ctx.seeds:
            starts = build(scenario, seed=seed).people.t_start
            p = float(stats.kstest(starts, reference.cdf).pvalue)
            passed &= p >= alpha
            measurements.append(
                Measurement(f"{label}, seed {seed}: KS p-value", p, "", f"≥ {alpha:.4f}")
            )
            samples.setdefault(label, (starts, reference))
    return Outcome(
        Verdict.of(bool(passed)),
        tuple(measurements),
        geometry=venue_figure(
            validation_scenario(NIST_1_1["uniform(10, 100) s"]).venue,
            "NIST 1.1: the RiMEA 9 hall holding the 1,000 people",
        ),
        figures=(_cdf_figure(samples),),
        seeds=ctx.seeds,
    )


#: NIST 2.8: people in room B walking against the 100 of room A, per case.
NIST_2_8_OPPOSING = (0, 10, 50, 100)
#: Room B (m): a person of room A has reached it when first recorded inside it.
_N28_ROOM_B = box(20.0, 0.0, 30.0, 10.0)


def counterflow_scenario(opposing: int) -> Scenario:
    """NIST 2.8 scenario with ``opposing`` people in room B (the file holds 100)."""
    base = validation_scenario("nist_2_8_counterflow.toml")
    zones = dict(base.population.zones)
    zones["room B"] = replace(zones["room B"], people=opposing)
    return replace(base, population=replace(base.population, zones=zones))


def _room_a(run: SimRun) -> np.ndarray:
    """Indices (= trajectory ids) of the people who started in room A (x < 10 m)."""
    return np.flatnonzero(run.start[:, 0] < 10.0)


def _completion_time(run: SimRun) -> tuple[float, np.ndarray]:
    """Time (s) until everybody who started in room A was in room B, and their arrival times.

    Arrival times are per person of room A, in id order (NaN: never recorded in room B); the
    completion time is NaN if anyone of them never arrived.
    """
    arrived = entry_times_by_id(run.trajectory, _N28_ROOM_B).reindex(_room_a(run)).to_numpy()
    done = bool(np.all(np.isfinite(arrived)))
    return (float(np.max(arrived)) if done else float("nan")), arrived


def _never_arrived(run: SimRun, arrived: np.ndarray) -> str:
    """Who of room A never reached room B, and where they ended, in words."""
    missing = _room_a(run)[~np.isfinite(arrived)]
    r = run.result
    left = r.exit_index[missing]
    gone = ", ".join(
        f"{np.count_nonzero(left == e)} left by the {name} exit"
        for e, name in enumerate(r.exit_names)
        if np.any(left == e)
    )
    inside = run.where_left_inside()
    return (
        f"{len(missing)} of the {len(arrived)} people of room A never reached room B"
        + (f" ({gone})" if gone else "")
        + (f"; {inside}" if inside else "")
        + "."
    )


@register(
    "NIST 2.8",
    title="Counter-flow through a corridor",
    source="NIST Technical Note 1822, test 2.8",
    setup="""Two 10 m × 10 m rooms joined by a 10 m long, 2 m wide corridor (scenario
    experiments/validation/nist_2_8_counterflow.toml). 100 adults in room A (Weidmann speeds,
    immediate reaction) are assigned the exit across the far wall of room B; at the same time
    0, 10, 50 or 100 people in room B are assigned the exit across the far wall of room A.
    People start at least 1 m from the exits. A person of room A has reached room B at the
    first frame of the recorded trajectory (10 frames/s) that puts them in room B (x ≥ 20 m).
    One run per seed and case, time limit 600 s.""",
    criterion="""Every person of room A reaches room B in every run, and the completion time
    T (the last of the 100 reaching room B), averaged over the seeds, grows with the number
    of opposing people: T(0) ≤ T(10) ≤ T(50) ≤ T(100), strictly T(0) < T(50) < T(100).""",
    quick=True,
)
def nist_2_8(ctx: CheckContext) -> Outcome:
    """NIST TN 1822 test 2.8."""
    times = np.full((len(NIST_2_8_OPPOSING), len(ctx.seeds)), np.nan)
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    notes: list[str] = []
    opposed = np.zeros_like(times)
    shown: SimRun | None = None
    for i, k in enumerate(NIST_2_8_OPPOSING):
        scenario = counterflow_scenario(k)
        for j, seed in enumerate(ctx.seeds):
            run = run_scenario(scenario, seed=seed, workdir=ctx.workdir)
            times[i, j], arrived = _completion_time(run)
            r = run.result
            room_b = run.start[:, 0] > 20.0
            opposed[i, j] = np.count_nonzero(room_b & (r.exit_index == r.exit_names.index("west")))
            if not np.isfinite(times[i, j]):
                notes.append(f"Seed {seed}, {k} opposing: {_never_arrived(run, arrived)}")
            if j == 0:
                done = np.sort(arrived[np.isfinite(arrived)])
                curves[f"{k} opposing"] = (done, np.arange(1, len(done) + 1))
                shown = run  # the last case drawn: the most people
    mean = times.mean(axis=1)
    t = dict(zip(NIST_2_8_OPPOSING, mean, strict=True))
    reached = bool(np.all(np.isfinite(times)))
    passed = reached and bool(np.all(np.diff(mean) >= 0)) and t[0] < t[50] < t[100]
    measurements = [
        Measurement(
            f"T({k} opposing), mean of {len(ctx.seeds)} seeds",
            float(t[k]),
            "s",
            "non-decreasing; 0 < 50 < 100",
        )
        for k in NIST_2_8_OPPOSING
    ]
    measurements += [
        Measurement(f"T({k} opposing) per seed", ", ".join(f"{x:.1f}" for x in times[i]), "s")
        for i, k in enumerate(NIST_2_8_OPPOSING)
    ]
    measurements += [
        Measurement(
            f"opposing people who left through room A ({k} opposing), per seed",
            ", ".join(f"{x:.0f}" for x in opposed[i]),
            "",
            f"{k}",
        )
        for i, k in enumerate(NIST_2_8_OPPOSING)
        if k
    ]
    assert shown is not None
    return Outcome(
        Verdict.of(passed),
        tuple(measurements),
        geometry=venue_figure(
            counterflow_scenario(100).venue,
            "NIST 2.8: rooms A (west) and B (east) joined by a 10 m × 2 m corridor; "
            f"exits across both far walls; {NIST_2_8_OPPOSING[-1]} opposing",
            people=shown.start,
            areas={"room B": _N28_ROOM_B},
        ),
        figures=(
            _completion_figure(times, ctx.seeds),
            nt_figure(
                curves,
                f"NIST 2.8: people of room A who have reached room B (seed {ctx.seeds[0]})",
            ),
        ),
        seeds=ctx.seeds,
        details=" ".join(notes),
    )


def _completion_figure(times: np.ndarray, seeds: tuple[int, ...]) -> Figure:
    fig = new_figure()
    ax = fig.axes[0]
    for i, k in enumerate(NIST_2_8_OPPOSING):
        ax.scatter(np.full(len(seeds), k), times[i], color="0.6", s=12)
    ax.plot(NIST_2_8_OPPOSING, times.mean(axis=1), "o-", color="tab:blue", label="mean over seeds")
    ax.set_xlabel("people walking against the 100 (opposing)")
    ax.set_ylabel("time until all 100 reached room B (s)")
    ax.legend()
    ax.grid(alpha=0.3)
    return to_figure(fig, "NIST 2.8: completion time against the counter-flow")


@cache
def _door_runs(seeds: tuple[int, ...], workdir: Path) -> tuple[SimRun, ...]:
    scenario = validation_scenario("imo_04_door_flow.toml")
    return tuple(run_scenario(scenario, seed=s, workdir=workdir) for s in seeds)


def _door_figure(run: SimRun) -> Figure:
    return venue_figure(
        run.venue,
        "8 m × 5 m room, 100 people, 1 m door (0.2 m deep) into a 4 m deep outer area",
        people=run.start,
        lines={"door line": _DOOR_LINE},
        areas={"before the door (2 m × 2 m)": _BEFORE, "after the door (2 m × 2 m)": _AFTER},
    )


def _door_flow(run: SimRun) -> Flow:
    return measure_flow(run.trajectory, _DOOR_LINE, width_m=1.0)


@register(
    "NIST 5.1",
    title="Congestion in front of a door",
    source="NIST Technical Note 1822, test 5.1 (geometry of IMO MSC.1/Circ.1533 test 4)",
    setup="""100 people leave an 8 m × 5 m room through a 1 m door into an outer area
    (scenario experiments/validation/imo_04_door_flow.toml). PedPy measures the classic
    density in 2 m × 2 m areas in front of and behind the door, averaged over the steady
    phase of the door flow (10 %–90 % of the crossings).""",
    criterion="""Congestion forms at the door: in every seed the mean density in front of the
    door exceeds the mean density behind it.""",
    quick=True,
)
def nist_5_1(ctx: CheckContext) -> Outcome:
    """NIST TN 1822 test 5.1."""
    runs = _door_runs(ctx.seeds, ctx.workdir)
    measurements: list[Measurement] = []
    passed = True
    for seed, run in zip(ctx.seeds, runs, strict=True):
        window = _door_flow(run).steady_frames
        before = mean_density(run.trajectory, _BEFORE, window)
        after = mean_density(run.trajectory, _AFTER, window)
        passed &= before > after
        measurements += [
            Measurement(
                f"density before / after the door, seed {seed}",
                f"{before:.2f} / {after:.2f}",
                "1/m²",
                "before > after",
            ),
        ]
    return Outcome(
        Verdict.of(bool(passed)),
        tuple(measurements),
        geometry=_door_figure(runs[0]),
        seeds=ctx.seeds,
    )


@register(
    "IMO 4",
    title="Flow through a 1 m door (NIST 5.2), informative",
    source="IMO MSC.1/Circ.1533 test 4; NIST Technical Note 1822, test 5.2",
    setup="""The NIST 5.1 runs: 100 people leave an 8 m × 5 m room through a 1 m door. PedPy
    measures the flow at the door: steady flow over the central 80 % of the crossings and the
    mean flow from the first to the last crossing.""",
    criterion="""Informative: the emergent door flow is reported next to the maritime rule of
    IMO MSC.1/Circ.1533 (at most 1.33 persons/s through a 1 m door) and the specific flows
    measured in bottleneck experiments (1.9–2.4 persons/(m·s); Kretz 2006, Seyfried 2009,
    Liao 2014). The door has no flow limit in this check, so neither is a criterion (IMO 4b
    applies the limit).""",
    quick=True,
)
def imo_4(ctx: CheckContext) -> Outcome:
    """IMO MSC.1/Circ.1533 test 4 / NIST TN 1822 test 5.2 (informative)."""
    runs = _door_runs(ctx.seeds, ctx.workdir)
    flows = [_door_flow(r) for r in runs]
    steady = np.array([f.flow_1_s for f in flows])
    overall = np.array(
        [(f.crossings - 1) / (f.crossing_times_s[-1] - f.crossing_times_s[0]) for f in flows]
    )
    lo, hi = MEASURED_SPECIFIC_FLOW
    curves = {
        f"seed {s}": (f.crossing_times_s, np.arange(1, f.crossings + 1))
        for s, f in zip(ctx.seeds, flows, strict=True)
    }
    return Outcome(
        Verdict.INFO,
        (
            Measurement(
                "steady door flow (mean over seeds)",
                float(steady.mean()),
                "1/s",
                f"IMO ≤ {IMO_DOOR_FLOW_1_S} 1/s; experiments {lo}–{hi} 1/s",
            ),
            Measurement("mean flow, first to last crossing", float(overall.mean()), "1/s"),
            Measurement("steady door flow per seed", ", ".join(f"{j:.2f}" for j in steady), "1/s"),
            Measurement(
                "people through the door", sum(f.crossings for f in flows), "", f"{100 * len(runs)}"
            ),
        ),
        geometry=_door_figure(runs[0]),
        figures=(nt_figure(curves, "IMO 4: people through the 1 m door over time"),),
        seeds=ctx.seeds,
        details=(
            f"The emergent steady flow of {steady.mean():.2f} persons/s through 1 m is "
            f"{'above' if steady.mean() > IMO_DOOR_FLOW_1_S else 'at or below'} the IMO "
            f"value of {IMO_DOOR_FLOW_1_S} persons/s and "
            f"{'inside' if lo <= steady.mean() <= hi else 'outside'} the experimental range "
            f"{lo}–{hi} persons/(m·s)."
        ),
    )


#: IMO 4b: line across the room 0.2 m in front of the door wall (the door is the exit at
#: x = 8.2 m); across the whole width, since people pressed along the wall reach it beside the door.
_LIMITED_DOOR_LINE = LineString([(7.8, 5.0), (7.8, 0.0)])


@register(
    "IMO 4b",
    title="Door-flow limit of 1.33 persons/s applied",
    source="IMO MSC.1/Circ.1533 test 4; NIST Technical Note 1822, test 5.2",
    setup="""The room of IMO 4 (8 m × 5 m, 100 people) with its 1 m door (0.2 m deep, y ∈ [2,
    3] m) as the exit, limited to the IMO value of 1.33 persons/s (exit max_flow_p_s; scenario
    experiments/validation/imo_04b_door_flow_limit.toml). PedPy measures the steady flow
    (central 80 % of the crossings) at a line across the room 0.2 m in front of the door
    wall, x = 7.8 m (people vanish at the exit, and PedPy needs a frame after a crossing); the
    model's exit times, stamped at the end of each 0.01 s integration step, give the time
    between consecutive people through the door and the steady flow through it (the same
    central 80 %).""",
    criterion="""In every seed everybody leaves; no two people leave through the door closer
    together than 1/1.33 s minus one integration step (≥ 0.742 s); and the steady flow
    through the door, from the exit times, does not exceed 1.33 persons/s by more than an
    exit time one step late at either end of the steady phase allows (≤ 1.33 · (1 + 2 · 0.01
    s / its span), 0.03 % over the steady minute). The flow at the line is reported, not
    judged: the time from the line to the door differs from person to person by a fraction
    of a second, so over the steady minute the line's flow may lie a little above the
    door's.""",
    quick=True,
)
def imo_4b(ctx: CheckContext) -> Outcome:
    """IMO MSC.1/Circ.1533 test 4 with the door-flow limit applied."""
    scenario = validation_scenario("imo_04b_door_flow_limit.toml")
    limit = scenario.venue.exits[0].max_flow_p_s
    assert limit is not None
    runs = [run_scenario(scenario, seed=s, workdir=ctx.workdir) for s in ctx.seeds]
    flows = [measure_flow(r.trajectory, _LIMITED_DOOR_LINE, width_m=1.0) for r in runs]
    steady = np.array([f.flow_1_s for f in flows])
    exits = [np.sort(r.result.exit_times_s[np.isfinite(r.result.exit_times_s)]) for r in runs]
    gaps = np.array([np.diff(t).min() if len(t) > 1 else np.inf for t in exits])
    dt = float(runs[0].result.params["dt_s"])
    steady_door = [steady_rate(t) for t in exits]
    at_door = np.array([rate for rate, _, _ in steady_door])
    # An exit time may lie up to one integration step late, at either end of the steady phase.
    spans = np.array([t[j] - t[i] for t, (_, i, j) in zip(exits, steady_door, strict=True)])
    door_bound = limit * (1.0 + 2.0 * dt / spans)
    mean = np.array([next(iter(r.result.per_exit_flow_p_s.values())) for r in runs])
    least_gap = 1.0 / limit - dt
    passed = (
        all(r.result.completed for r in runs)
        and bool(np.all(gaps >= least_gap - 1e-9))
        and bool(np.all(at_door <= door_bound))
    )
    measurements = [
        Measurement(
            "least time between two people leaving, per seed",
            ", ".join(f"{g:.2f}" for g in gaps),
            "s",
            f"≥ {least_gap:.3f} s",
        ),
        Measurement(
            "steady flow through the door, per seed",
            ", ".join(f"{j:.4f}" for j in at_door),
            "1/s",
            f"≤ {limit} · (1 + 2 · {dt:g} s / steady span): ≤ {door_bound.max():.4f}",
        ),
        Measurement(
            "steady flow at the line 0.2 m before the door (PedPy), per seed",
            ", ".join(f"{j:.3f}" for j in steady),
            "1/s",
        ),
        Measurement(
            "mean flow, first to last person out, per seed",
            ", ".join(f"{j:.3f}" for j in mean),
            "1/s",
        ),
        Measurement(
            "people counted at the line / people out",
            f"{sum(f.crossings for f in flows)} / {sum(r.result.evacuated for r in runs)}",
        ),
    ]
    return Outcome(
        Verdict.of(passed),
        tuple(measurements),
        geometry=venue_figure(
            runs[0].venue,
            f"IMO 4b: 8 m × 5 m room, 100 people, 1 m door as the exit, at most {limit} persons/s",
            people=runs[0].start,
            lines={"measurement line (x = 7.8 m)": _LIMITED_DOOR_LINE},
        ),
        figures=(_limited_flow_figure(exits, ctx.seeds, limit),),
        seeds=ctx.seeds,
        details=(
            f"The door passes {mean.mean():.2f} persons/s on average, "
            f"{mean.mean() / limit:.0%} of the limit: people leave at least {gaps.min():.2f} s "
            f"apart where the limit allows {1.0 / limit:.3f} s, since the next person can only "
            "step across the exit line once the door is free again."
        ),
    )


def _limited_flow_figure(exits: list[np.ndarray], seeds: tuple[int, ...], limit: float) -> Figure:
    fig = new_figure()
    ax = fig.axes[0]
    for seed, t in zip(seeds, exits, strict=True):
        ax.step(t, np.arange(1, len(t) + 1), where="post", label=f"seed {seed}")
    t0 = exits[0][0]
    span = np.array([t0, t0 + (len(exits[0]) - 1) / limit])
    ax.plot(span, 1 + (span - t0) * limit, "k--", linewidth=1, label=f"{limit} persons/s")
    ax.set_xlabel("time t (s)")
    ax.set_ylabel("people out N(t)")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return to_figure(fig, "IMO 4b: people out through the limited door against the limit")


def _cdf_figure(samples: dict[str, tuple[np.ndarray, stats.rv_continuous]]) -> Figure:
    fig = new_figure(8.0, 6.0, nrows=2, ncols=2)
    axes = fig.axes
    for ax, (label, (values, reference)) in zip(axes, samples.items(), strict=False):
        xs = np.sort(values)
        ax.step(xs, np.arange(1, len(xs) + 1) / len(xs), where="post", label="model")
        grid = np.linspace(0, np.quantile(xs, 0.995), 300)
        ax.plot(grid, reference.cdf(grid), "--", label="NIST distribution")
        ax.set_title(label, fontsize="small")
        ax.set_xlabel("pre-movement time (s)")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize="small")
    return to_figure(fig, "NIST 1.1: start times in the model (first seed) against each CDF")
