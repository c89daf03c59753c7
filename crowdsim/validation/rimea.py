"""RiMEA verification tests (Richtlinie für Mikroskopische Entfluchtungsanalysen, 3.0/4.x).

Each check rebuilds one RiMEA test, runs it for the suite's seeds and judges the guideline's
criterion; where RiMEA states the criterion loosely ("congestion forms", "about twice as
long") the check states the measurable criterion it uses.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pedpy
from scipy import stats
from shapely.geometry import LineString, box

from crowdsim.model import columns
from crowdsim.model.population import Group, Population, PopulationSpec
from crowdsim.model.profiles import profile
from crowdsim.validation import venues
from crowdsim.validation.figures import (
    draw_paths,
    new_figure,
    nt_figure,
    to_figure,
    venue_figure,
)
from crowdsim.validation.measure import (
    density_series,
    mean_density,
    measure_flow,
    passing_speed_by_id,
    passing_speeds,
    start_times,
    steps_outside,
)
from crowdsim.validation.reference import ALPHA, FRUIN_E_PM2, scipy_distribution
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
    run_venue,
    validation_scenario,
    validation_venue,
)


@register(
    "RiMEA 1",
    title="Maintaining the walking speed in a corridor",
    source="RiMEA guideline 4.x, test 1",
    setup="""One person with desired speed 1.33 m/s starts at the west end of a 2 m × 40 m
    corridor (scenario experiments/validation/rimea_01_corridor.toml) and walks to the exit
    across the east end; one run per seed (the body radius is drawn).""",
    criterion="""Travel time from the start to the exit between 26 s and 34 s in every run; the
    walking speed between x = 5 m and x = 35 m is measured with PedPy (passing speed).""",
    quick=True,
)
def rimea_1(ctx: CheckContext) -> Outcome:
    """RiMEA test 1."""
    scenario = validation_scenario("rimea_01_corridor.toml")
    runs = [run_scenario(scenario, seed=s, workdir=ctx.workdir) for s in ctx.seeds]
    line = LineString([(5.0, 2.0), (5.0, 0.0)])  # PedPy measures 30 m to the line's left (+x)
    times = np.array([r.result.evacuation_time_s for r in runs])
    speeds = np.concatenate([passing_speeds(r.trajectory, line, 30.0) for r in runs])
    passed = bool(np.all((times >= 26.0) & (times <= 34.0)))
    measurements = [
        Measurement(f"travel time, seed {s}", float(t), "s", "26–34 s")
        for s, t in zip(ctx.seeds, times, strict=True)
    ]
    measurements += [
        Measurement("walking speed x = 5–35 m (PedPy)", float(speeds.mean()), "m/s", "1.33 m/s"),
        Measurement("wall penetrations", sum(r.result.wall_penetrations for r in runs), "", "0"),
    ]
    return Outcome(
        Verdict.of(passed),
        tuple(measurements),
        geometry=venue_figure(
            runs[0].venue,
            "RiMEA 1: corridor 2 m × 40 m, start position and speed measurement stretch",
            people=runs[0].start,
            lines={
                "speed stretch start": line,
                "speed stretch end": LineString([(35, 0), (35, 2)]),
            },
        ),
        seeds=ctx.seeds,
    )


@register(
    "RiMEA 5",
    title="Pre-movement times",
    source="RiMEA guideline 4.x, test 5",
    setup="""Ten people stand in an 8 m × 5 m room with a 1 m exit
    (experiments/validation/venues/rimea_05_room.toml), placed by hand at least 1.2 m from
    each other and the walls (beyond the interaction range), with pre-movement times 10, 20 …
    100 s, the nearest to the exit first. The trajectory is recorded at 10 frames/s (one frame
    per 0.1 s model step).""",
    criterion="""Each person starts to move within two model steps (0.2 s) after the end of
    their pre-movement time and never before it. A person's start is the first frame at
    which they are more than 1 cm from their initial position (PedPy trajectory data).""",
    quick=True,
)
def rimea_5(ctx: CheckContext) -> Outcome:
    """RiMEA test 5."""
    venue = validation_venue("rimea_05_room.toml")
    xs = np.array([1.2, 2.6, 4.0, 5.4, 6.8])
    pos = np.array([(x, y) for y in (1.5, 3.5) for x in xs])
    order = np.argsort(np.hypot(pos[:, 0] - 8.0, pos[:, 1] - 2.5))
    t_pre = np.empty(len(pos))
    t_pre[order] = 10.0 * np.arange(1, len(pos) + 1)
    run = run_venue(
        venue,
        people=Population.at(pos, v0=1.34, radius=0.3, t_start=t_pre),
        seed=ctx.seeds[0],
        workdir=ctx.workdir,
        time_limit_s=200.0,
    )
    start = start_times(run.trajectory, threshold_m=0.01)
    delay = start - t_pre
    step = float(run.result.params["step_s"])
    passed = bool(np.all((delay >= 0.0) & (delay <= 2 * step + 1e-9)))
    measurements = [Measurement("largest start delay", float(np.nanmax(delay)), "s", "0–0.2 s")]
    measurements += [
        Measurement(f"start of the person with pre-movement {t:.0f} s", float(s), "s")
        for t, s in sorted(zip(t_pre, start, strict=True))
    ]
    measurements.append(Measurement("people out", run.result.evacuated, "", "10"))
    return Outcome(
        Verdict.of(passed and run.result.evacuated == len(pos)),
        tuple(measurements),
        geometry=venue_figure(
            venue, "RiMEA 5: room 8 m × 5 m, 1 m exit, ten people placed by hand", people=pos
        ),
        figures=(_displacement_figure(run.trajectory, t_pre),),
        seeds=ctx.seeds[:1],
    )


@register(
    "RiMEA 6",
    title="Movement around a corner",
    source="RiMEA guideline 4.x, test 6",
    setup="""20 people start in the first 6 m of a 2 m wide corridor that turns left by 90°
    after 12 m (scenario experiments/validation/rimea_06_corner.toml); one run per seed.""",
    criterion="""Everybody leaves, and nobody passes through a wall: no centre ever leaves the
    walkable area (the model's check every 0.1 s) and no frame-to-frame step of any recorded
    trajectory crosses a wall.""",
    quick=True,
)
def rimea_6(ctx: CheckContext) -> Outcome:
    """RiMEA test 6."""
    scenario = validation_scenario("rimea_06_corner.toml")
    runs = [run_scenario(scenario, seed=s, workdir=ctx.workdir) for s in ctx.seeds]
    out = [r.result.evacuated for r in runs]
    cut = [steps_outside(r.trajectory, r.venue.walkable) for r in runs]
    penetrations = [r.result.wall_penetrations for r in runs]
    passed = all(r.result.completed for r in runs) and not any(cut) and not any(penetrations)
    return Outcome(
        Verdict.of(passed),
        (
            Measurement(
                "people out (all seeds)", sum(out), "", f"{sum(r.result.agents for r in runs)}"
            ),
            Measurement("trajectory steps through a wall", sum(cut), "", "0"),
            Measurement("wall penetrations (model check)", sum(penetrations), "", "0"),
        ),
        geometry=venue_figure(
            runs[0].venue,
            "RiMEA 6: 2 m corridor with a left turn, start positions",
            people=runs[0].start,
        ),
        figures=(_trajectory_figure(runs[0], "RiMEA 6: trajectories (first seed)"),),
        seeds=ctx.seeds,
    )


#: RiMEA test 7 groups: the walking speeds on flat terrain of IMO MSC.1/Circ.1533, Table 3.4
#: (crowdsim profiles, uniform ranges in m/s), in equal shares.
RIMEA7_GROUPS = (
    "female_under_30",
    "female_30_50",
    "female_over_50",
    "male_under_30",
    "male_30_50",
    "male_over_50",
)
_RIMEA7_LANES = 240
_RIMEA7_STRETCH = (10.0, 35.0)
_RIMEA7_HALL_M = 40.0


def rimea7_population() -> PopulationSpec:
    """The RiMEA 7 crowd: one group per IMO profile of :data:`RIMEA7_GROUPS`, equal shares."""
    return PopulationSpec(
        groups=tuple(
            Group(name=name, share=1.0, desired_speed=p.desired_speed, radius=p.radius)
            for name, p in ((n, profile(n)) for n in RIMEA7_GROUPS)
        )
    )


@register(
    "RiMEA 7",
    title="Demographic walking speeds",
    source="RiMEA guideline 4.x, test 7; speeds of IMO MSC.1/Circ.1533, Table 3.4",
    setup="""One run per seed of a mixed crowd: 240 people, each drawn into one of six groups
    in equal shares (population groups with the IMO MSC.1/Circ.1533 Table 3.4 profiles:
    female and male, under 30, 30–50 and over 50 years; desired speeds uniform over 0.93–1.55,
    0.71–1.19, 0.56–0.94, 1.11–1.85, 0.97–1.62 and 0.84–1.40 m/s). They start one per 2 m lane
    at the west end of a 480 m wide, 40 m long hall (crowdsim.validation.venues.
    free_walking_hall) and walk east without meeting. PedPy measures each person's passing
    speed over x = 10–35 m.""",
    criterion="""Per group, the measured speeds of all seeds pass a one-sample
    Kolmogorov–Smirnov test against the group's desired-speed distribution at a family-wise
    level of 5 % (Bonferroni over the six groups: p ≥ 0.0083), and every person's speed is
    measured.""",
    quick=True,
)
def rimea_7(ctx: CheckContext) -> Outcome:
    """RiMEA test 7."""
    venue = venues.free_walking_hall(_RIMEA7_LANES, length_m=_RIMEA7_HALL_M)
    spec = rimea7_population()
    width = venue.bounds[3]
    x0, x1 = _RIMEA7_STRETCH
    line = LineString([(x0, width), (x0, 0.0)])  # PedPy measures to the line's left (+x)
    measured: dict[str, list[np.ndarray]] = {name: [] for name in RIMEA7_GROUPS}
    deviation: list[np.ndarray] = []
    unmeasured = 0
    start = np.zeros((0, 2))
    for seed in ctx.seeds:
        run = run_venue(venue, population=spec, seed=seed, workdir=ctx.workdir, time_limit_s=200.0)
        speed = passing_speed_by_id(run.trajectory, line, x1 - x0)
        ids = speed.index.to_numpy(dtype=np.int64)
        unmeasured += len(run.group) - len(ids)
        deviation.append(speed.to_numpy() - run.v0[ids])
        for k, name in enumerate(RIMEA7_GROUPS):
            measured[name].append(speed.to_numpy()[run.group[ids] == k])
        if seed == ctx.seeds[0]:
            start = run.start
    alpha = ALPHA / len(RIMEA7_GROUPS)
    speeds = {name: np.concatenate(v) for name, v in measured.items()}
    pvalues = {
        name: float(stats.kstest(v, _desired_speed(name).cdf).pvalue) for name, v in speeds.items()
    }
    passing = sum(p >= alpha for p in pvalues.values())
    dev = np.abs(np.concatenate(deviation))
    measurements = [
        Measurement(
            "groups whose speeds pass the KS test",
            f"{passing} of {len(RIMEA7_GROUPS)}",
            "",
            f"{len(RIMEA7_GROUPS)} of {len(RIMEA7_GROUPS)}",
        ),
        Measurement("people without a measured speed", unmeasured, "", "0"),
    ]
    for name, v in speeds.items():
        p = profile(name).desired_speed.params
        measurements += [
            Measurement(f"{name}: KS p-value (n = {len(v)})", pvalues[name], "", f"≥ {alpha:.4f}"),
            Measurement(
                f"{name}: measured speeds",
                f"{v.min():.2f}–{v.max():.2f}",
                "m/s",
                f"{p['low']:.2f}–{p['high']:.2f} m/s",
            ),
        ]
    measurements.append(
        Measurement(
            "largest |measured − desired speed| of a person", float(dev.max()), "m/s", "informative"
        )
    )
    return Outcome(
        Verdict.of(passing == len(RIMEA7_GROUPS) and unmeasured == 0),
        tuple(measurements),
        geometry=venue_figure(
            venue,
            f"RiMEA 7: free-walking hall, one person per 2 m lane; speeds measured over "
            f"x = {x0:.0f}–{x1:.0f} m",
            people=start,
            lines={
                "measurement start": line,
                "measurement end": LineString([(x1, 0), (x1, width)]),
            },
        ),
        figures=(_speed_cdf_figure(speeds),),
        seeds=ctx.seeds,
        details=(
            "Each person's measured speed differs from their own desired speed by at most "
            f"{dev.max():.3f} m/s (median {np.median(dev):.3f} m/s)."
        ),
    )


def _desired_speed(name: str) -> stats.rv_continuous:
    return scipy_distribution(profile(name).desired_speed)


@register(
    "RiMEA 9",
    title="Leaving a large public space; two exits locked",
    source="RiMEA guideline 4.x, test 9",
    setup="""1,000 people (Weidmann speeds, immediate reaction) fill a 30 m × 20 m hall with
    four 1 m exits (scenario experiments/validation/rimea_09_hall.toml). Step 1: all exits
    open; step 2: doors 1 and 2 in the north wall locked (layout doors_1_2_locked). One run
    per seed and step.""",
    criterion="""Everybody leaves in both steps, and the time the last person leaves grows
    substantially when two exits are locked: T(2 exits) / T(4 exits) between 1.5 and 2.5 in
    every seed (RiMEA expects about twice as long; far longer would mean a jam).""",
    quick=False,
)
def rimea_9(ctx: CheckContext) -> Outcome:
    """RiMEA test 9."""
    scenario = validation_scenario("rimea_09_hall.toml")
    measurements: list[Measurement] = []
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    notes: list[str] = []
    passed = True
    for seed in ctx.seeds:
        open_run = run_scenario(scenario, seed=seed, workdir=None)
        locked = run_scenario(scenario, seed=seed, workdir=None, layout="doors_1_2_locked")
        notes += [
            f"Seed {seed}, {label}: {r.where_left_inside()}."
            for label, r in (("4 exits", open_run), ("2 exits", locked))
            if r.where_left_inside()
        ]
        t_open, t_locked = open_run.result.evacuation_time_s, locked.result.evacuation_time_s
        ratio = t_locked / t_open
        passed &= open_run.result.completed and locked.result.completed and 1.5 <= ratio <= 2.5
        measurements += [
            Measurement(f"T(2 exits) / T(4 exits), seed {seed}", ratio, "", "1.5–2.5 (≈ 2)"),
            Measurement(f"T(4 exits), seed {seed}", t_open, "s"),
            Measurement(f"T(2 exits), seed {seed}", t_locked, "s"),
        ]
        if seed == ctx.seeds[0]:
            for label, run in (("4 exits open", open_run), ("doors 1, 2 locked", locked)):
                ts = run.result.timeseries
                curves[label] = (ts[columns.TIME_S].to_numpy(), ts[columns.EVACUATED].to_numpy())
    return Outcome(
        Verdict.of(bool(passed)),
        tuple(measurements),
        geometry=venue_figure(
            scenario.venue.with_layout("doors_1_2_locked"),
            "RiMEA 9: 30 m × 20 m hall, 1,000 people; doors 1 and 2 (north) locked in step 2",
        ),
        figures=(nt_figure(curves, f"RiMEA 9: people out over time (seed {ctx.seeds[0]})"),),
        seeds=ctx.seeds,
        details=" ".join(notes),
    )


#: RiMEA 12 measurement set-up: line at the corridor entrance, 2 m × 2 m areas either side.
_R12_LINE = LineString([(10.0, 5.5), (10.0, 4.5)])
_R12_BEFORE = box(8.0, 4.0, 10.0, 6.0)
_R12_AFTER = box(15.0, 4.0, 17.0, 6.0)


@cache
def _rimea12_run(width_m: float, seed: int, workdir: Path) -> SimRun:
    return run_venue(venues.two_rooms(width_m), seed=seed, workdir=workdir)


@register(
    "RiMEA 12",
    title="Congestion at a bottleneck",
    source="RiMEA guideline 4.x, test 12",
    setup="""150 people start in the back half of a 10 m × 10 m room joined by a 5 m long, 1 m
    wide corridor to a second 10 m × 10 m room with a 1 m exit (the JuPedSim RiMEA 12
    geometry, built in crowdsim.validation.venues.two_rooms). PedPy measures the classic
    density in a 2 m × 2 m area in front of the corridor and in one behind it, averaged over
    the steady phase at the corridor entrance (10 %–90 % of the crossings).""",
    criterion="""Congestion before the bottleneck and not after it: in every seed the mean
    density in front of the corridor is in Fruin's level of service E or F (> 1.08
    persons/m²) and the one behind it is not (≤ 1.08 persons/m²).""",
    quick=True,
)
def rimea_12(ctx: CheckContext) -> Outcome:
    """RiMEA test 12."""
    measurements: list[Measurement] = []
    passed = True
    for seed in ctx.seeds:
        run = _rimea12_run(1.0, seed, ctx.workdir)
        traj = run.trajectory
        window = measure_flow(traj, _R12_LINE, width_m=1.0).steady_frames
        before = mean_density(traj, _R12_BEFORE, window)
        after = mean_density(traj, _R12_AFTER, window)
        passed &= before > FRUIN_E_PM2 >= after and run.result.completed
        measurements += [
            Measurement(f"density before the corridor, seed {seed}", before, "1/m²", "> 1.08"),
            Measurement(f"density after the corridor, seed {seed}", after, "1/m²", "≤ 1.08"),
        ]
    first = _rimea12_run(1.0, ctx.seeds[0], ctx.workdir)
    return Outcome(
        Verdict.of(bool(passed)),
        tuple(measurements),
        geometry=venue_figure(
            first.venue,
            "RiMEA 12: two rooms joined by a 1 m × 5 m corridor; measurement areas either side",
            people=first.start,
            lines={"corridor entrance": _R12_LINE},
            areas={"before (2 m × 2 m)": _R12_BEFORE, "after (2 m × 2 m)": _R12_AFTER},
        ),
        figures=(_density_figure(first),),
        seeds=ctx.seeds,
    )


_R12D_WIDTHS = (0.8, 1.0, 1.2)
#: Seeds of RiMEA 12d (at least; see its set-up).
_R12D_SEEDS = 10


def _corridor_flow(width_m: float, seed: int, ctx: CheckContext) -> float:
    """Steady flow (1/s) at the entrance of the RiMEA 12 corridor ``width_m`` wide."""
    line = LineString([(10.0, 5 + width_m / 2), (10.0, 5 - width_m / 2)])
    run = _rimea12_run(width_m, seed, ctx.workdir)
    return measure_flow(run.trajectory, line, width_m=width_m).flow_1_s


@register(
    "RiMEA 12d",
    title="Bottleneck flow grows with the bottleneck width",
    source="RiMEA guideline 4.x, test 12 (width variation, this suite's extension)",
    setup=f"""The RiMEA 12 set-up with corridor widths 0.8, 1.0 and 1.2 m, 150 people, one
    run per seed and width, {_R12D_SEEDS} seeds (the suite's, then the next ones: the flows at
    1.0 and 1.2 m differ by a few percent here, which three seeds do not resolve). PedPy
    measures the steady flow at the corridor entrance: (N₉₀ − N₁₀) / (t₉₀ − t₁₀) over the
    central 80 % of the crossings.""",
    criterion="""The flow, averaged over the seeds, strictly increases with the width
    (0.8 m < 1.0 m < 1.2 m).""",
    quick=False,
)
def rimea_12d(ctx: CheckContext) -> Outcome:
    """RiMEA test 12, width variation."""
    seeds = ctx.at_least(_R12D_SEEDS)
    flows = np.array([[_corridor_flow(w, s, ctx) for s in seeds] for w in _R12D_WIDTHS])
    mean = flows.mean(axis=1)
    passed = bool(np.all(np.diff(mean) > 0))
    fig = new_figure()
    ax = fig.axes[0]
    for k, w in enumerate(_R12D_WIDTHS):
        ax.scatter(np.full(len(seeds), w), flows[k], color="0.6", s=12)
    ax.plot(_R12D_WIDTHS, mean, "o-", color="tab:blue", label="mean over seeds")
    ax.set_xlabel("corridor width (m)")
    ax.set_ylabel("flow J (1/s)")
    ax.legend()
    ax.grid(alpha=0.3)
    return Outcome(
        Verdict.of(passed),
        (
            *(
                Measurement(
                    f"flow at {w:.1f} m (mean of {len(seeds)} seeds)", float(j), "1/s", "increasing"
                )
                for w, j in zip(_R12D_WIDTHS, mean, strict=True)
            ),
            Measurement(
                "standard error of each mean",
                ", ".join(f"{e:.3f}" for e in flows.std(axis=1, ddof=1) / np.sqrt(len(seeds))),
                "1/s",
            ),
        ),
        geometry=venue_figure(
            venues.two_rooms(0.8), "RiMEA 12d: the RiMEA 12 rooms, here with a 0.8 m corridor"
        ),
        figures=(to_figure(fig, "RiMEA 12d: flow at the corridor entrance against its width"),),
        seeds=seeds,
    )


#: RiMEA 15 set-up: corridor width, leg length (inner edge), holding-area length (m), people.
_R15_WIDTH_M, _R15_LEG_M, _R15_HOLDING_M, _R15_PEOPLE = 4.0, 10.0, 25.0, 250
#: Where spreading is measured: this far past the corner along the second leg (m).
_R15_PAST_M = 2.0


@register(
    "RiMEA 15",
    title="Large crowd around a corner",
    source="RiMEA guideline 4.x, test 15",
    setup="""250 people start in a 4 m × 25 m holding area (2.5 persons/m²) and walk through a
    4 m wide corridor that turns left by 90° (legs of 10 m along the inner edge:
    inner-edge length 20 m, outer-edge length 28 m). References: straight 4 m corridors of
    the inner-edge length (20 m, "short") and the outer-edge length (28 m, "long") behind the
    same holding area. One run per seed and corridor, with the default congestion-aware
    routes; the corner again with static routes (`[congestion] enabled = false`). Spreading:
    where people cross a line across the second leg 2 m past the corner.""",
    criterion="""The time the last person leaves, averaged over the seeds, satisfies
    T(short) ≤ T(corner) ≤ T(long) with the default routes. The corner with static routes
    and the share of people crossing the second leg in its outer half (a static
    shortest-path field sends most people along the inner edge) are reported.""",
    quick=False,  # twelve runs of 250 people: in the full suite
)
def rimea_15(ctx: CheckContext) -> Outcome:
    """RiMEA test 15."""
    inner = 2 * _R15_LEG_M
    outer = inner + 2 * _R15_WIDTH_M
    crowd = {"width_m": _R15_WIDTH_M, "holding_m": _R15_HOLDING_M}
    layouts = {
        "short": venues.straight_corridor(length_m=inner, people=_R15_PEOPLE, **crowd),
        "corner": venues.corner_corridor(leg_m=_R15_LEG_M, people=_R15_PEOPLE, **crowd),
        "long": venues.straight_corridor(length_m=outer, people=_R15_PEOPLE, **crowd),
    }
    corner = layouts["corner"]
    runs = {
        routing: [
            run_venue(corner, seed=s, workdir=ctx.workdir, congestion=routing == "congestion-aware")
            for s in ctx.seeds
        ]
        for routing in ("congestion-aware", "static")
    }
    times = {
        name: np.array(
            [run_venue(v, seed=s, workdir=None).result.evacuation_time_s for s in ctx.seeds]
        )
        for name, v in layouts.items()
        if name != "corner"
    }
    times["corner"] = np.array([r.result.evacuation_time_s for r in runs["congestion-aware"]])
    times["corner, static routes"] = np.array([r.result.evacuation_time_s for r in runs["static"]])
    mean = {k: float(t.mean()) for k, t in times.items()}
    passed = mean["short"] <= mean["corner"] <= mean["long"]
    across = LineString(
        [
            (_R15_LEG_M, _R15_WIDTH_M + _R15_PAST_M),
            (_R15_LEG_M + _R15_WIDTH_M, _R15_WIDTH_M + _R15_PAST_M),
        ]
    )

    def outer_share(corner_runs: list[SimRun]) -> float:
        crossings = np.concatenate([_crossing_x(r.trajectory, across) for r in corner_runs])
        return float(np.mean(crossings > _R15_LEG_M + _R15_WIDTH_M / 2))

    band = f"{mean['short']:.1f}–{mean['long']:.1f} s"
    past = f"{_R15_PAST_M:g} m past the corner"
    return Outcome(
        Verdict.of(passed),
        (
            Measurement("T(corner), mean", mean["corner"], "s", band),
            Measurement(f"T(short, {inner:.0f} m), mean", mean["short"], "s"),
            Measurement(f"T(long, {outer:.0f} m), mean", mean["long"], "s"),
            Measurement(
                "T(corner), static routes, mean", mean["corner, static routes"], "s", "reported"
            ),
            Measurement(
                f"share crossing the outer half, {past}",
                outer_share(runs["congestion-aware"]),
                "",
                "reported",
            ),
            Measurement("the same, static routes", outer_share(runs["static"]), "", "reported"),
            *(
                Measurement(f"T({name}) per seed", ", ".join(f"{t:.1f}" for t in t_seeds), "s")
                for name, t_seeds in times.items()
            ),
        ),
        geometry=venue_figure(
            corner,
            "RiMEA 15: 4 m corridor with a left turn behind a holding area",
            lines={"spreading measured": across},
        ),
        figures=tuple(
            _trajectory_figure(
                runs[routing][0],
                f"RiMEA 15: paths round the corner, {routing} routes, seed {ctx.seeds[0]}",
            )
            for routing in runs
        ),
        seeds=ctx.seeds,
    )


def _crossing_x(traj: pedpy.TrajectoryData, line: LineString) -> np.ndarray:
    """X (m) at which each person first crosses ``line``."""
    _, crossing = pedpy.compute_n_t(traj_data=traj, measurement_line=pedpy.MeasurementLine(line))
    at = traj.data.merge(crossing, on=[pedpy.ID_COL, pedpy.FRAME_COL])
    return at[pedpy.X_COL].to_numpy()


def _displacement_figure(traj: pedpy.TrajectoryData, t_pre: np.ndarray) -> Figure:
    data = traj.data.sort_values([pedpy.ID_COL, pedpy.FRAME_COL])
    first = data.groupby(pedpy.ID_COL)[[pedpy.X_COL, pedpy.Y_COL]].transform("first")
    data = data.assign(
        moved=np.hypot(
            data[pedpy.X_COL] - first[pedpy.X_COL], data[pedpy.Y_COL] - first[pedpy.Y_COL]
        )
    )
    fig = new_figure()
    ax = fig.axes[0]
    for pid, rows in data.groupby(pedpy.ID_COL):
        ax.plot(rows[pedpy.FRAME_COL] / traj.frame_rate, rows["moved"], linewidth=1)
        ax.axvline(t_pre[int(pid)], color="0.8", linewidth=0.8, zorder=0)
    ax.set_xlabel("time t (s)")
    ax.set_ylabel("distance from start position (m)")
    ax.set_ylim(0, 3)
    ax.grid(alpha=0.3)
    return to_figure(fig, "RiMEA 5: distance walked; grey lines mark the pre-movement times")


def _trajectory_figure(run: SimRun, caption: str) -> Figure:
    fig = new_figure(6.4, 5.0)
    draw_paths(fig.axes[0], run.venue.walkable, run.trajectory.data)
    return to_figure(fig, caption)


def _speed_cdf_figure(measured: dict[str, np.ndarray]) -> Figure:
    fig = new_figure(7.0, 4.2)
    ax = fig.axes[0]
    for k, (name, v) in enumerate(measured.items()):
        colour = f"C{k}"
        xs = np.sort(v)
        ax.step(xs, np.arange(1, len(xs) + 1) / len(xs), where="post", color=colour, label=name)
        grid = np.linspace(xs[0] - 0.1, xs[-1] + 0.1, 200)
        ax.plot(grid, _desired_speed(name).cdf(grid), "--", color=colour, linewidth=1)
    ax.set_xlabel("measured free walking speed (m/s)")
    ax.set_ylabel("cumulative share")
    ax.legend(fontsize="small", title="measured (steps) vs desired (dashed)")
    ax.grid(alpha=0.3)
    return to_figure(fig, "RiMEA 7: measured speeds per group against the groups' distributions")


def _density_figure(run: SimRun) -> Figure:
    traj = run.trajectory
    fig = new_figure()
    ax = fig.axes[0]
    for label, area in (("before the corridor", _R12_BEFORE), ("after the corridor", _R12_AFTER)):
        d: pd.DataFrame = density_series(traj, area)
        ax.plot(d[pedpy.FRAME_COL] / traj.frame_rate, d[pedpy.DENSITY_COL], label=label)
    ax.axhline(FRUIN_E_PM2, color="tab:red", linestyle="--", label="Fruin LOS E (1.08 /m²)")
    ax.set_xlabel("time t (s)")
    ax.set_ylabel("classic density (1/m²)")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return to_figure(fig, "RiMEA 12: density in front of and behind the corridor (first seed)")
