"""Validation against measured crowds: the Jülich/Wuppertal trajectories and Helbing et al. 2000.

Simulated runs rebuild the experiments' geometry (``crowdsim.validation.venues``) and are
measured with the same PedPy code, lines and areas as the experimental trajectories
(``crowdsim.validation.experiments``). Where a source gives no criterion the comparison is
reported as ``INFO``.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pedpy
from shapely.geometry import LineString, box

from crowdsim.model.population import Population, PopulationSpec
from crowdsim.model.profiles import PROFILES
from crowdsim.validation import venues
from crowdsim.validation.experiments import (
    DATASETS,
    HERMES_UO_KEYS,
    hermes_uo_widths,
    load_single_file_samples,
    load_trajectory,
)
from crowdsim.validation.figures import (
    draw_paths,
    new_figure,
    nt_figure,
    setup_figure,
    to_figure,
    venue_figure,
)
from crowdsim.validation.measure import (
    Flow,
    mean_density,
    measure_flow,
    nearest_ahead_by_offset,
    nearest_person_distances,
    speed_density_pairs,
    steps_outside,
)
from crowdsim.validation.reference import MEASURED_SPECIFIC_FLOW, weidmann_speed
from crowdsim.validation.registry import (
    CheckContext,
    Figure,
    Measurement,
    Outcome,
    Verdict,
    register,
)
from crowdsim.validation.simulate import SimRun, run_venue
from crowdsim.venue import Venue

#: Relative tolerance of a simulated bottleneck flow against the same experiment (±15 %).
FLOW_TOLERANCE = 0.15
#: Relative tolerance of the regression anchors of the data README (±3 %).
ANCHOR_TOLERANCE = 0.03
#: Sample counts of the single-file data sets (data README).
SINGLE_FILE_COUNTS = {
    "01_FD_germany_seyfried2005": 126,
    "02_culture_india_chattaraj2013": 169,
    "21_stopAndGoWavesCaserne_germany_seyfried2010": 61558,
}


#: Bottleneck widths of the flow-against-width sweep (m) and the people per run.
SWEEP_WIDTHS = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
SWEEP_PEOPLE = 150


def jam_time_limit(people: int, width_m: float, *, walk_s: float = 30.0) -> float:
    """Time limit of a run through an opening ``width_m`` wide: a run still going then jammed.

    ``walk_s`` of walking plus twice the time ``people`` need at 1.9 persons/(m·s), the lowest
    specific flow measured in bottleneck experiments.
    """
    return walk_s + 2.0 * people / (MEASURED_SPECIFIC_FLOW[0] * width_m)


def experiment_flow(key: str) -> Flow:
    """The flow PedPy measures on experiment ``key``'s own trajectories, at its own line."""
    ds = DATASETS[key]
    return measure_flow(load_trajectory(key), ds.line, width_m=ds.width_m)


def simulated_flow(
    venue: Venue, line: LineString, *, width_m: float, people: int, seed: int, ctx: CheckContext
) -> float:
    """Specific flow (1/(m·s)) across ``line`` in one run of ``venue``, stopped if it jams."""
    run = run_venue(
        venue, seed=seed, workdir=ctx.workdir, time_limit_s=jam_time_limit(people, width_m)
    )
    return measure_flow(run.trajectory, line, width_m=width_m).specific_flow


def _wuppertal_run(seed: int, ctx: CheckContext) -> SimRun:
    """The Wuppertal replica: people where the experiment's stood at frame 0."""
    data = load_trajectory("wuppertal-0.5").data
    first = data[data[pedpy.FRAME_COL] == data[pedpy.FRAME_COL].min()].sort_values(pedpy.ID_COL)
    pos = first[[pedpy.X_COL, pedpy.Y_COL]].to_numpy()
    spec, rng = PopulationSpec(), np.random.default_rng(seed)
    people = Population.at(
        pos, v0=spec.desired_speed.sample(rng, len(pos)), radius=spec.radius.sample(rng, len(pos))
    )
    return run_venue(
        venues.wuppertal_bottleneck(),
        people=people,
        seed=seed,
        workdir=ctx.workdir,
        time_limit_s=jam_time_limit(len(pos), DATASETS["wuppertal-0.5"].width_m),
    )


@register(
    "EMP 1",
    title="Bottleneck flow against width (Wuppertal 0.5 m, HERMES 3.0 m)",
    source="Adrian et al. 2020 (Wuppertal 2018); Liao et al. 2014 (HERMES 2009); "
    "Seyfried et al. 2009",
    setup="""Replicas of two bottleneck experiments, measured with PedPy at the experiments'
    lines: (a) Wuppertal 2018, 0.5 m entrance, 75 people starting where the experiment's
    stood; (b) HERMES 2009_AO_300, 3.0 m opening, 348 people in its waiting area at about 3
    persons/m² (the experiment's starting density). Sweep: the HERMES geometry with openings
    of 0.5–3.0 m and 150 people. Default Weidmann speeds and radii; one run per seed.
    Steady flow: (N₉₀ − N₁₀)/(t₉₀ − t₁₀) over the central 80 % of the crossings, the same on
    the experimental trajectories. At the 3.0 m opening the classic density and mean speed
    in the opening and in the metre in front of it, over the steady phase, are reported for
    the experiment and the replica, and in that metre each person's distance to the nearest
    other person and how near the nearest person ahead comes at each sideways offset from
    one's line (the experiment tracked heads, the replica body centres).""",
    criterion="""For both replicas the specific flow (mean over the seeds) lies within ±15 %
    of the value PedPy measures on the experiment's own trajectories (15 % is about the spread
    of specific flows between bottleneck experiments of equal width, 1.9–2.4 persons/(m·s)).
    The sweep is informative.""",
    quick=False,
)
def emp_bottleneck(ctx: CheckContext) -> Outcome:
    """Bottleneck flows against the Wuppertal and HERMES experiments."""
    replicas = {
        "wuppertal-0.5": [_wuppertal_run(s, ctx) for s in ctx.seeds],
        "hermes-ao-3.0": [
            run_venue(venues.bottleneck(3.0, people=348), seed=s, workdir=ctx.workdir)
            for s in ctx.seeds
        ],
    }
    measurements: list[Measurement] = []
    passed = True
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    replica_points: dict[str, tuple[float, float, float]] = {}
    flows: dict[str, tuple[Flow, list[Flow]]] = {}
    for key, runs in replicas.items():
        ds = DATASETS[key]
        exp = experiment_flow(key)
        sims = [measure_flow(r.trajectory, ds.line, width_m=ds.width_m) for r in runs]
        flows[key] = (exp, sims)
        js = float(np.mean([f.specific_flow for f in sims]))
        ok = abs(js - exp.specific_flow) <= FLOW_TOLERANCE * exp.specific_flow
        passed &= ok
        measurements += [
            Measurement(
                f"{ds.width_m:.1f} m replica: specific flow (simulated)",
                js,
                "1/(m·s)",
                f"{exp.specific_flow:.2f} ± 15 % (experiment)",
            ),
            Measurement(
                f"{ds.width_m:.1f} m replica: people through (of {runs[0].result.agents}"
                f" × {len(runs)} runs)",
                sum(f.crossings for f in sims),
            ),
        ]
        replica_points[key] = (ds.width_m, js, exp.specific_flow)
        curves[f"experiment {ds.width_m:.1f} m"] = _nt_from_first(exp)
        curves[f"simulation {ds.width_m:.1f} m (seed {ctx.seeds[0]})"] = _nt_from_first(sims[0])
    measurements += _crowd_at_the_wide_opening(replicas["hermes-ao-3.0"], *flows["hermes-ao-3.0"])
    sweep = np.array([[_sweep_flow(w, s, ctx) for s in ctx.seeds] for w in SWEEP_WIDTHS])
    measurements += [
        Measurement(f"sweep {w:.1f} m: specific flow (mean)", float(js), "1/(m·s)")
        for w, js in zip(SWEEP_WIDTHS, sweep.mean(axis=1), strict=True)
    ]
    first = replicas["hermes-ao-3.0"][0]
    return Outcome(
        Verdict.of(bool(passed)),
        tuple(measurements),
        geometry=venue_figure(
            first.venue,
            "HERMES 3.0 m replica: waiting area, opening and measurement line (y = 0); the "
            "sweep varies the opening's width",
            people=first.start,
            lines={"measurement line": DATASETS["hermes-ao-3.0"].line},
        ),
        figures=(
            venue_figure(
                replicas["wuppertal-0.5"][0].venue,
                "Wuppertal 0.5 m replica, people at the experiment's start positions",
                people=replicas["wuppertal-0.5"][0].start,
                lines={"measurement line": DATASETS["wuppertal-0.5"].line},
            ),
            _flow_width_figure(sweep, replica_points),
            nt_figure(curves, "N–t at the measurement lines, from the first crossing"),
        ),
        seeds=ctx.seeds,
        details=_bottleneck_details(replicas["wuppertal-0.5"]),
    )


#: Where the crowd at the HERMES 3.0 m opening is measured: in the opening, and the metre in
#: front of it (the opening spans x ∈ [−0.6, 2.4], y ∈ [−0.53, 0.53]).
_WIDE_OPENING_AREAS = {
    "in the opening": box(-0.6, -0.53, 2.4, 0.53),
    "1 m in front of it": box(-0.6, -1.53, 2.4, -0.53),
}


#: The narrowest shoulders of the default population (m): twice the least body radius.
_NARROWEST_SHOULDERS_M = 2.0 * PROFILES["adult"].radius.params["low"]
#: Bands of sideways offset (m) in which the nearest person ahead is sought; the crowd at the
#: 3.0 m opening walks towards +y.
_ASIDE_BANDS_M = (0.0, 0.1, 0.2, 0.3, 0.4)


def _crowd_at_the_wide_opening(
    runs: list[SimRun], experiment: Flow, replicas: list[Flow]
) -> list[Measurement]:
    """Density, speed and spacing at the 3.0 m opening, steady phase: experiment and replica.

    ``experiment`` and ``replicas`` are the flows measured at the line, whose steady phases
    are used. The spacing, in the metre in front of the opening: each person's distance to
    the nearest other person, and how near the nearest person ahead comes by sideways offset
    (the experiment tracked heads, the replica body centres).
    """
    trajectories = [(load_trajectory("hermes-ao-3.0"), experiment, "experiment")] + [
        (r.trajectory, f, "replica") for r, f in zip(runs, replicas, strict=True)
    ]
    values: dict[tuple[str, str], list[tuple[float, float]]] = {}
    nearest: dict[str, list[np.ndarray]] = {}
    ahead: dict[str, list[list[np.ndarray]]] = {}
    for traj, flow, who in trajectories:
        frames = flow.steady_frames
        for name, area in _WIDE_OPENING_AREAS.items():
            pairs = speed_density_pairs(traj, area, frames)
            values.setdefault((name, who), []).append(
                (float(pairs["density"].mean()), float(pairs["speed"].mean()))
            )
        front = _WIDE_OPENING_AREAS["1 m in front of it"]
        nearest.setdefault(who, []).append(nearest_person_distances(traj, front, frames))
        ahead.setdefault(who, []).append(
            nearest_ahead_by_offset(
                traj, front, frames, heading=(0.0, 1.0), offsets_m=_ASIDE_BANDS_M
            )
        )
    out = []
    for name in _WIDE_OPENING_AREAS:
        exp = np.mean(values[(name, "experiment")], axis=0)
        sim = np.mean(values[(name, "replica")], axis=0)
        out.append(
            Measurement(
                f"3.0 m: density / speed {name}, steady phase (replica, mean)",
                f"{sim[0]:.2f} /m² / {sim[1]:.2f} m/s",
                "",
                f"experiment {exp[0]:.2f} /m² / {exp[1]:.2f} m/s",
            )
        )
    out.append(
        Measurement(
            "3.0 m: distance to the nearest person 1 m in front of the opening, steady phase: "
            f"median / 5th percentile / share nearer than {_NARROWEST_SHOULDERS_M:.2f} m "
            "(replica)",
            _spacing_summary(nearest["replica"]),
            "",
            f"experiment {_spacing_summary(nearest['experiment'])}",
        )
    )
    bands = " / ".join(f"{a:g}–{b:g}" for a, b in itertools.pairwise(_ASIDE_BANDS_M))
    out.append(
        Measurement(
            "3.0 m: how near the nearest person ahead comes (5th percentile of the distance "
            f"ahead) with {bands} m between their line and one's own (replica)",
            _closest_ahead_summary(ahead["replica"]),
            "",
            f"experiment {_closest_ahead_summary(ahead['experiment'])}",
        )
    )
    return out


def _spacing_summary(per_run: list[np.ndarray]) -> str:
    """Nearest-person distances over all runs: median, 5th percentile, share under shoulders."""
    d = np.concatenate(per_run)
    if len(d) == 0:
        return "nobody measured"
    median, low = np.percentile(d, [50, 5])
    return f"{median:.2f} m / {low:.2f} m / {np.mean(d < _NARROWEST_SHOULDERS_M):.0%}"


def _closest_ahead_summary(per_run: list[list[np.ndarray]]) -> str:
    """5th percentile of the distance ahead per band of sideways offset, over all runs."""
    bands = (np.concatenate(band) for band in zip(*per_run, strict=True))
    return " / ".join(f"{np.percentile(b, 5):.2f}" if len(b) else "–" for b in bands) + " m"


def _sweep_flow(width_m: float, seed: int, ctx: CheckContext) -> float:
    """Specific flow (1/(m·s)) through the HERMES-geometry bottleneck ``width_m`` wide."""
    line = LineString([(0.9 - width_m / 2, 0.0), (0.9 + width_m / 2, 0.0)])
    venue = venues.bottleneck(width_m, people=SWEEP_PEOPLE)
    return simulated_flow(venue, line, width_m=width_m, people=SWEEP_PEOPLE, seed=seed, ctx=ctx)


def _bottleneck_details(wuppertal: list[SimRun]) -> str:
    out = sum(r.result.evacuated for r in wuppertal)
    people = sum(r.result.agents for r in wuppertal)
    if out >= people:
        return ""
    limit = wuppertal[0].result.simulated_time_s
    return (
        f"In the 0.5 m replica {people - out} of {people} simulated people did not get out "
        f"within {limit:.0f} s (the experiment took 66 s)."
    )


def _nt_from_first(flow: Flow) -> tuple[np.ndarray, np.ndarray]:
    t = flow.crossing_times_s
    if len(t) == 0:
        return np.zeros(1), np.zeros(1)
    return t - t[0], np.arange(1, len(t) + 1)


def _flow_width_figure(
    sweep: np.ndarray, replicas: dict[str, tuple[float, float, float]]
) -> Figure:
    fig = new_figure()
    ax = fig.axes[0]
    lo, hi = MEASURED_SPECIFIC_FLOW
    ax.axhspan(lo, hi, color="tab:green", alpha=0.15, label="experiments 1.9–2.4 /(m·s)")
    ax.errorbar(
        SWEEP_WIDTHS,
        sweep.mean(axis=1),
        yerr=sweep.std(axis=1),
        fmt="o-",
        label=f"simulation, {SWEEP_PEOPLE} people",
    )
    for k, (key, (w, js, exp)) in enumerate(replicas.items()):
        ax.plot(w, js, "s", color="tab:blue", label="simulated replica" if k == 0 else None)
        ax.plot(
            w,
            exp,
            "*",
            color="tab:red",
            markersize=12,
            label="experiment (PedPy)" if k == 0 else None,
        )
        ax.annotate(key, (w, exp), textcoords="offset points", xytext=(4, 6), fontsize="small")
    ax.set_xlabel("bottleneck width b (m)")
    ax.set_ylabel("specific flow Js (1/(m·s))")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return to_figure(fig, "Specific flow against bottleneck width: simulation and experiments")


#: HERMES corridor measurement set-up (PedPy's fundamental-diagram notebook).
_UO = DATASETS[HERMES_UO_KEYS[0]]


@register(
    "EMP 2",
    title="HERMES unidirectional corridor: flow, density, jam at a narrow exit",
    source="Zhang et al. 2011, J. Stat. Mech. P06004 (HERMES 2009 corridor runs)",
    setup="""Replicas of the nine HERMES corridor runs (1.8 m corridor; entrance 0.50–1.80 m;
    exit 1.80, 1.20, 0.95 or 0.70 m), each with the experiment's number of people, starting in
    a holding area behind the entrance (2 persons/m²). PedPy measures the flow at y = 0 and the
    classic density in x ∈ [0, 1.8], y ∈ [−2, 0] (the notebook's set-up) over the steady phase
    (10 %–90 % of the crossings); the experiments over their published steady frames.""",
    criterion="""The runs with a narrow exit jam: in each of them (exit 1.20, 0.95, 0.70 m) the
    steady density, averaged over the seeds, exceeds that of the run with the same entrance
    and an open 1.80 m exit (uo-180-180-180). Flows and densities against the experiments and
    the fundamental diagram against Weidmann are informative.""",
    quick=False,
)
def emp_corridor(ctx: CheckContext) -> Outcome:
    """HERMES corridor runs."""
    sim: dict[str, tuple[float, float]] = {}
    exp: dict[str, tuple[float, float]] = {}
    pairs_sim, pairs_exp = [], []
    for key in HERMES_UO_KEYS:
        ds = DATASETS[key]
        data = load_trajectory(key)
        exp_flow = measure_flow(data, ds.line, width_m=ds.width_m)
        assert ds.area is not None and ds.steady_frames is not None
        exp[key] = (
            exp_flow.flow_between(*ds.steady_frames, data.frame_rate) / ds.width_m,
            mean_density(data, ds.area, ds.steady_frames),
        )
        pairs_exp.append(speed_density_pairs(data, ds.area, ds.steady_frames))
        entrance, exit_ = hermes_uo_widths(key)
        people = int(data.data[pedpy.ID_COL].nunique())
        js, rho = [], []
        for seed in ctx.seeds:
            run = run_venue(
                venues.hermes_corridor(entrance, exit_, people=people),
                seed=seed,
                workdir=ctx.workdir,
                time_limit_s=jam_time_limit(people, min(entrance, exit_), walk_s=60.0),
            )
            flow = measure_flow(run.trajectory, ds.line, width_m=ds.width_m)
            js.append(flow.specific_flow)
            rho.append(mean_density(run.trajectory, ds.area, flow.steady_frames))
            if seed == ctx.seeds[0]:
                pairs_sim.append(speed_density_pairs(run.trajectory, ds.area, flow.steady_frames))
        sim[key] = (float(np.mean(js)), float(np.mean(rho)))
    open_rho = sim["uo-180-180-180"][1]
    jammed = [k for k in HERMES_UO_KEYS if hermes_uo_widths(k)[1] < 1.8]
    passed = all(sim[k][1] > open_rho for k in jammed)
    measurements = [
        Measurement(
            f"{k}: density, simulated / experiment",
            f"{sim[k][1]:.2f} / {exp[k][1]:.2f}",
            "1/m²",
            f"> {open_rho:.2f} (open exit, simulated)" if k in jammed else "",
        )
        for k in HERMES_UO_KEYS
    ]
    measurements += [
        Measurement(
            f"{k}: specific flow, simulated / experiment",
            f"{sim[k][0]:.2f} / {exp[k][0]:.2f}",
            "1/(m·s)",
        )
        for k in HERMES_UO_KEYS
    ]
    example = venues.hermes_corridor(1.8, 0.7, people=148)
    return Outcome(
        Verdict.of(passed),
        tuple(measurements),
        geometry=venue_figure(
            example,
            "HERMES corridor replica (entrance 1.80 m, exit 0.70 m): holding area, entrance, "
            "1.8 m corridor, exit; measurement line y = 0 and area y ∈ [−2, 0]",
            lines={"measurement line": _UO.line},
            areas={"measurement area": _UO.area} if _UO.area is not None else None,
        ),
        figures=(
            _fd_figure(pairs_sim, pairs_exp),
            _flow_density_figure(sim, exp),
        ),
        seeds=ctx.seeds,
    )


def _fd_figure(pairs_sim: list[pd.DataFrame], pairs_exp: list[pd.DataFrame]) -> Figure:
    fig = new_figure()
    ax = fig.axes[0]
    for label, pairs, colour, alpha in (
        ("HERMES experiments", pairs_exp, "tab:red", 0.15),
        ("simulation (first seed)", pairs_sim, "tab:blue", 0.25),
    ):
        rho = np.concatenate([p[pedpy.DENSITY_COL].to_numpy() for p in pairs])
        v = np.concatenate([p[pedpy.SPEED_COL].to_numpy() for p in pairs])
        ax.scatter(rho, v, s=4, color=colour, alpha=alpha, label=label)
    grid = np.linspace(0.2, 5.3, 200)
    ax.plot(grid, weidmann_speed(grid), "k--", label="Weidmann 1993")
    ax.set_xlabel("classic density ρ (1/m²)")
    ax.set_ylabel("mean speed v (m/s)")
    ax.set_xlim(0, 5.5)
    ax.set_ylim(0, 1.8)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", markerscale=3)
    return to_figure(fig, "Fundamental diagram v(ρ) in the corridor measurement area, per frame")


def _flow_density_figure(
    sim: dict[str, tuple[float, float]], exp: dict[str, tuple[float, float]]
) -> Figure:
    fig = new_figure()
    ax = fig.axes[0]
    grid = np.linspace(0.2, 5.3, 200)
    ax.plot(grid, grid * weidmann_speed(grid), "k--", label="Weidmann 1993")
    for label, values, marker in (("experiment", exp, "*"), ("simulation", sim, "o")):
        js = [values[k][0] for k in HERMES_UO_KEYS]
        rho = [values[k][1] for k in HERMES_UO_KEYS]
        ax.plot(rho, js, marker, linestyle="none", markersize=9, label=label)
    for k in HERMES_UO_KEYS:
        ax.annotate(
            k[3:],
            (exp[k][1], exp[k][0]),
            fontsize="x-small",
            xytext=(3, 3),
            textcoords="offset points",
        )
    ax.set_xlabel("steady density ρ (1/m²)")
    ax.set_ylabel("steady specific flow Js (1/(m·s))")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return to_figure(fig, "Steady specific flow against density, per corridor run")


_DIAGONAL = LineString([(0.0, 0.0), (-3.0, -3.0)])


@register(
    "EMP 3",
    title="Corner: path shape and no wall cutting",
    source="PedPy corner reference trajectories (see the data README); RiMEA test 6/15",
    setup="""Replica of the corner experiment (137 people, 3 m wide L-shaped corridor from its
    geo.xml): people start spread along an approach leg added east of the recorded area, at
    the density that carries the experiment's flow at free walking speed, walk west, turn
    right and leave north. PedPy finds where each person crosses the corner's diagonal (from
    the inner corner (0, 0) to the outer corner (−3, −3)).""",
    criterion="""No wall cutting: in every seed everybody leaves, no recorded frame-to-frame
    step leaves the walkable area and the model's per-step check finds no centre outside it.
    The path shape (distance from the inner corner where people cross the diagonal,
    simulated against measured) is informative.""",
    quick=True,
)
def emp_corner(ctx: CheckContext) -> Outcome:
    """Corner experiment."""
    ds = DATASETS["corner"]
    data = load_trajectory("corner")
    people = int(data.data[pedpy.ID_COL].nunique())
    exp_flow = measure_flow(data, _DIAGONAL, width_m=ds.width_m)
    density = exp_flow.flow_1_s / (1.34 * ds.width_m)
    approach = people / (density * ds.width_m)
    venue = venues.corner_replica(people=people, approach_m=approach)
    runs = [run_venue(venue, seed=s, workdir=ctx.workdir) for s in ctx.seeds]
    cut = sum(steps_outside(r.trajectory, venue.walkable) for r in runs)
    penetrations = sum(r.result.wall_penetrations for r in runs)
    complete = all(r.result.completed for r in runs)
    d_exp = _diagonal_distances(data)
    d_sim = np.concatenate([_diagonal_distances(r.trajectory) for r in runs])
    clearance_sim = min(_corner_clearance(r.trajectory) for r in runs)
    return Outcome(
        Verdict.of(complete and cut == 0 and penetrations == 0),
        (
            Measurement("trajectory steps through a wall", cut, "", "0"),
            Measurement("wall penetrations (model check)", penetrations, "", "0"),
            Measurement("everybody left in every seed", "yes" if complete else "no", "", "yes"),
            Measurement(
                "diagonal crossing, distance from inner corner: median, simulated",
                float(np.median(d_sim)),
                "m",
                f"{np.median(d_exp):.2f} m measured",
            ),
            Measurement(
                "interquartile range, simulated / measured", f"{_iqr(d_sim)} / {_iqr(d_exp)}", "m"
            ),
            Measurement(
                "closest approach to the inner corner, simulated / measured",
                f"{clearance_sim:.2f} / {_corner_clearance(data):.2f}",
                "m",
            ),
        ),
        geometry=venue_figure(
            venue,
            f"Corner replica: the recorded L (3 m legs) with a {approach:.0f} m approach leg; "
            "people walk west, then north",
            people=runs[0].start,
            lines={"diagonal": _DIAGONAL},
        ),
        figures=(_corner_paths_figure(data, runs[0].trajectory), _diagonal_figure(d_sim, d_exp)),
        seeds=ctx.seeds,
    )


def _diagonal_distances(traj: pedpy.TrajectoryData) -> np.ndarray:
    """Distance (m) from the inner corner at which each person first crosses the diagonal."""
    _, crossing = pedpy.compute_n_t(
        traj_data=traj, measurement_line=pedpy.MeasurementLine(_DIAGONAL)
    )
    at = traj.data.merge(crossing, on=[pedpy.ID_COL, pedpy.FRAME_COL])
    return np.hypot(at[pedpy.X_COL].to_numpy(), at[pedpy.Y_COL].to_numpy())


def _corner_clearance(traj: pedpy.TrajectoryData) -> float:
    """Smallest distance (m) of any recorded position from the inner corner (0, 0)."""
    return float(np.hypot(traj.data[pedpy.X_COL], traj.data[pedpy.Y_COL]).min())


def _iqr(values: np.ndarray) -> str:
    q1, q3 = np.quantile(values, [0.25, 0.75])
    return f"{q1:.2f}–{q3:.2f}"


def _corner_paths_figure(exp: pedpy.TrajectoryData, sim: pedpy.TrajectoryData) -> Figure:
    fig = new_figure(9.0, 4.6, ncols=2)
    walkable = DATASETS["corner"].walkable_area
    for ax, (title, traj) in zip(fig.axes, (("experiment", exp), ("simulation", sim)), strict=True):
        inside = traj.data[(traj.data[pedpy.X_COL] <= 5.0) & (traj.data[pedpy.Y_COL] <= 5.0)]
        draw_paths(ax, walkable, inside, linewidth=0.5)
        x, y = _DIAGONAL.xy
        ax.plot(x, y, color="black", linestyle=":", linewidth=1)
        ax.set_title(title)
        ax.set_xlim(-3.5, 5.5)
        ax.set_ylim(-3.5, 5.5)
    return to_figure(fig, "Paths round the corner: experiment and simulation (first seed)")


def _diagonal_figure(d_sim: np.ndarray, d_exp: np.ndarray) -> Figure:
    fig = new_figure()
    ax = fig.axes[0]
    bins = np.linspace(0, np.hypot(3, 3), 22).tolist()
    ax.hist(d_exp, bins=bins, density=True, alpha=0.5, label="experiment")
    ax.hist(d_sim, bins=bins, density=True, alpha=0.5, label="simulation")
    ax.set_xlabel("distance from the inner corner on the diagonal (m)")
    ax.set_ylabel("probability density (1/m)")
    ax.legend()
    return to_figure(fig, "Where people cross the corner's diagonal")


@register(
    "DATA 1",
    title="Experimental data and PedPy measurement chain",
    source="Data README (data/juelich): regression anchors computed by line counts",
    setup="""Every experimental file is read with PedPy (pedpy.load_trajectory with the
    catalogue's frame rate and unit) and measured with this suite's PedPy code at the
    README's lines and areas: bottlenecks over the central 80 % of the crossings, the HERMES
    corridor runs over their steady frames; the single-file samples are counted.""",
    criterion="""Every flow and density is within ±3 % of the README's anchor (values given to
    two or three digits), and the single-file sample counts match (126, 169, 61,558). This
    verifies units, frame rates, geometry and the measurement code that the empirical checks
    use.""",
    quick=True,
)
def data_anchors(ctx: CheckContext) -> Outcome:
    """Regression anchors of the experimental data."""
    measurements: list[Measurement] = []
    passed = True
    for key, ds in DATASETS.items():
        if ds.flow_1_s is None:
            continue
        data = load_trajectory(key)
        flow = measure_flow(data, ds.line, width_m=ds.width_m)
        j = (
            flow.flow_1_s
            if ds.steady_frames is None
            else flow.flow_between(*ds.steady_frames, data.frame_rate)
        )
        passed &= _close(j, ds.flow_1_s)
        measurements.append(Measurement(f"{key}: flow J", j, "1/s", f"{ds.flow_1_s} 1/s ± 3 %"))
        if ds.density_pm2 is not None and ds.area is not None:
            rho = mean_density(data, ds.area, ds.steady_frames)
            passed &= _close(rho, ds.density_pm2)
            measurements.append(
                Measurement(f"{key}: density", rho, "1/m²", f"{ds.density_pm2} 1/m² ± 3 %")
            )
    counts = load_single_file_samples().groupby("dataset").size().to_dict()
    passed &= counts == SINGLE_FILE_COUNTS
    measurements.append(
        Measurement(
            "single-file samples",
            ", ".join(str(counts[k]) for k in sorted(counts)),
            "",
            "126, 169, 61558",
        )
    )
    walkable = DATASETS["hermes-ao-3.0"].walkable_area
    return Outcome(
        Verdict.of(bool(passed)),
        tuple(measurements),
        geometry=setup_figure(
            walkable,
            "HERMES 2009_AO_300 (geo.xml) with its measurement line; the other set-ups are in "
            "the empirical checks",
            lines={"measurement line": DATASETS["hermes-ao-3.0"].line},
        ),
    )


def _close(value: float, reference: float) -> bool:
    return abs(value - reference) <= ANCHOR_TOLERANCE * abs(reference)
