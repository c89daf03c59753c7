"""Stairs, exit and route choice, route allocation and availability.

RiMEA 2, 3, 10, 11, 13 and 14; NIST 4.1.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pedpy
import shapely
from shapely.geometry import LineString, box

from crowdsim.model import columns
from crowdsim.model.events import ExitEvent
from crowdsim.model.population import Population, PopulationSpec, ZoneOverride
from crowdsim.validation.figures import draw_area, new_figure, nt_figure, to_figure, venue_figure
from crowdsim.validation.measure import density_series, measure_flow
from crowdsim.validation.reference import FRUIN_F_PM2
from crowdsim.validation.registry import (
    CheckContext,
    Figure,
    Measurement,
    Outcome,
    Verdict,
    register,
)
from crowdsim.validation.simulate import SimRun, run_scenario, run_venue, validation_scenario
from crowdsim.venue import Exit, SpeedZone, Venue, Zone

#: Desired speed (m/s) of the single walker of the stair tests.
_STAIR_V0 = 1.33
#: Stair length along the walking line (m) and speed factors up and down (shares of v0).
_STAIR_LENGTH_M = 10.0
_STAIR_FACTORS = {"RiMEA 2": 0.5, "RiMEA 3": 0.7}


def _stair_venue(factor: float) -> Venue:
    """2 m wide: 2 m of level floor, a 10 m stair (speed zone), 2 m of level floor, exit."""
    return Venue(
        name="stair",
        area=box(0, 0, 14, 2),
        speed_zones=(SpeedZone("stair", box(2, 0, 2 + _STAIR_LENGTH_M, 2), factor),),
        exits=(Exit("top", LineString([(14, 0), (14, 2)])),),
    )


def _stair_check(check_id: str, ctx: CheckContext) -> Outcome:
    factor = _STAIR_FACTORS[check_id]
    venue = _stair_venue(factor)
    start_x = 1.0
    expected = 1.0 / _STAIR_V0 + _STAIR_LENGTH_M / (factor * _STAIR_V0) + 2.0 / _STAIR_V0
    people = Population.at(np.array([[start_x, 1.0]]), v0=_STAIR_V0, radius=0.25)
    times = []
    for seed in ctx.seeds:
        run = run_venue(venue, people=people, seed=seed, workdir=None, time_limit_s=120.0)
        times.append(run.result.evacuation_time_s)
    t = np.array(times)
    passed = bool(np.all(np.abs(t - expected) <= 0.05 * expected))
    return Outcome(
        Verdict.of(passed),
        (
            Measurement("travel time, mean", float(t.mean()), "s", f"{expected:.2f} s ± 5 %"),
            Measurement("speed factor on the stair", factor, "", "given"),
        ),
        geometry=venue_figure(
            venue,
            f"{check_id}: 2 m wide, level 2 m, stair 10 m (factor {factor}), level 2 m",
            people=people.pos,
            areas={"stair": venue.speed_zones[0].area},
        ),
        seeds=ctx.seeds,
    )


@register(
    "RiMEA 2",
    title="Walking speed up a staircase",
    source="RiMEA guideline 4.x, test 2; stairs as a speed zone",
    setup="""One person (v0 = 1.33 m/s) walks 1 m of level floor, a 10 m staircase upwards and
    2 m of level floor to the exit of a 2 m wide corridor. The staircase is a speed zone that
    scales the desired speed by 0.5.""",
    criterion="""Travel time = level length / v0 + stair length / (0.5 · v0) within ±5 % in every
    run.""",
    quick=True,
)
def rimea_2(ctx: CheckContext) -> Outcome:
    """RiMEA test 2."""
    return _stair_check("RiMEA 2", ctx)


@register(
    "RiMEA 3",
    title="Walking speed down a staircase",
    source="RiMEA guideline 4.x, test 3; stairs as a speed zone",
    setup="""As RiMEA 2, downwards: the staircase scales the desired speed by 0.7.""",
    criterion="""Travel time = level length / v0 + stair length / (0.7 · v0) within ±5 % in every
    run.""",
    quick=True,
)
def rimea_3(ctx: CheckContext) -> Outcome:
    """RiMEA test 3."""
    return _stair_check("RiMEA 3", ctx)


def _two_exit_hall(people_per_zone: int) -> Venue:
    """20 m × 10 m hall, exits in the west and east walls, a zone in each half."""
    return Venue(
        name="hall",
        area=box(0, 0, 20, 10),
        exits=(
            Exit("west", LineString([(0, 4), (0, 6)])),
            Exit("east", LineString([(20, 4), (20, 6)])),
        ),
        zones=(
            Zone("west half", box(4, 1, 9, 9), people_per_zone),
            Zone("east half", box(11, 1, 16, 9), people_per_zone),
        ),
    )


@register(
    "RiMEA 10",
    title="Route allocation",
    source="RiMEA guideline 4.x, test 10",
    setup="""A 20 m × 10 m hall with a 2 m exit in each end wall; 40 people in each half, at least
    4 m from the exits. Everybody
    in the west half is assigned the east exit and everybody in the east half the west exit
    (the farther one in both cases), so the two streams cross.""",
    criterion="""100 % of the people leave by their assigned exit, in every run.""",
    quick=True,
)
def rimea_10(ctx: CheckContext) -> Outcome:
    """RiMEA test 10."""
    venue = _two_exit_hall(40)
    spec = PopulationSpec(
        zones={"west half": ZoneOverride(target="east"), "east half": ZoneOverride(target="west")}
    )
    honoured, total = 0, 0
    for seed in ctx.seeds:
        run = run_venue(venue, population=spec, seed=seed, workdir=None, time_limit_s=600.0)
        model_people = run.result.agents
        west = run.start[:, 0] < 10.0  # started in the west half of the 20 m hall
        wanted = np.where(west, 1, 0)
        honoured += int(np.count_nonzero(run.result.exit_index == wanted))
        total += model_people
    return Outcome(
        Verdict.of(honoured == total),
        (Measurement("people leaving by their assigned exit", honoured, "", f"{total}"),),
        geometry=venue_figure(venue, "RiMEA 10: hall with a west and an east exit"),
        seeds=ctx.seeds,
    )


#: RiMEA 11 exits: the nearer one for everybody, and the farther one.
_R11_NEAR, _R11_FAR = "exit 1", "exit 2"
#: The other exit-choice rules whose split RiMEA 11 reports (first seed only).
_R11_OTHER_RULES = ("nearest", "logit")


@register(
    "RiMEA 11",
    title="Choice of exit",
    source="RiMEA guideline 4.x, test 11",
    setup="""1,000 adults (Weidmann speeds, immediate reaction) start in x ∈ [2, 15] m, y ∈ [2,
    18] m of a 30 m × 20 m room with two 1 m exits in the north wall, exit 1 at x ∈ [21, 22] m
    and exit 2 at x ∈ [27, 28] m (scenario experiments/validation/rimea_11_exit_choice.toml;
    exit positions as in JuPedSim's RiMEA 11 geometry). Exit 1 is the nearer one for
    everybody, by 4.7–5.9 m. Everybody uses the "quickest" exit choice: least walking time
    plus queueing time (people heading for the exit who are nearer to it, divided by 1.3
    persons/(m·s) × width), re-evaluated every 2 s with hysteresis. One run per seed. For
    comparison the first seed is also run with everybody choosing the "nearest" exit and with
    the "logit" choice (multinomial logit on distance, people at and walking towards each exit
    and visibility, coefficients of Haghani, Sarvi & Rajabifard 2018); their splits are
    reported, not judged.""",
    criterion="""In every seed everybody leaves, most people leave by the nearer exit 1 (more
    than half), and some by the farther exit 2 (at least one person).""",
    quick=False,
)
def rimea_11(ctx: CheckContext) -> Outcome:
    """RiMEA test 11."""
    scenario = validation_scenario("rimea_11_exit_choice.toml")
    measurements: list[Measurement] = []
    shares: list[float] = []
    notes: list[str] = []
    runs: list[SimRun] = []
    passed = True
    for seed in ctx.seeds:
        run = run_scenario(scenario, seed=seed, workdir=None)
        r = run.result
        near, far = r.per_exit[_R11_NEAR], r.per_exit[_R11_FAR]
        passed &= r.completed and near > r.agents / 2 and far >= 1
        shares.append(near / r.agents)
        measurements.append(
            Measurement(
                f"people through exit 1 / exit 2, seed {seed}",
                f"{near} / {far}",
                "",
                f"exit 1 > {r.agents // 2}, exit 2 ≥ 1",
            )
        )
        if run.where_left_inside():
            notes.append(f"Seed {seed}: {run.where_left_inside()}.")
        runs.append(run)
    for rule in _R11_OTHER_RULES:
        groups = tuple(replace(g, choice=rule) for g in scenario.population.effective_groups)
        other = scenario.with_overrides(population=replace(scenario.population, groups=groups))
        r = run_scenario(other, seed=ctx.seeds[0], workdir=None).result
        measurements.append(
            Measurement(
                f"people through exit 1 / exit 2 with {rule!r} choice, seed {ctx.seeds[0]}",
                f"{r.per_exit[_R11_NEAR]} / {r.per_exit[_R11_FAR]}",
                "",
                f"share by exit 1: {r.per_exit[_R11_NEAR] / r.agents:.3f}",
            )
        )
    first = runs[0]
    nearer = _nearer_to(first.venue, first.start, _R11_NEAR)
    measurements[:0] = [
        Measurement(
            "share of the people leaving by the nearer exit 1 (mean over seeds)",
            float(np.mean(shares)),
            "",
            "> 0.5, and exit 2 used",
        ),
        Measurement(
            f"people for whom exit 1 is the nearer (seed {ctx.seeds[0]})",
            f"{int(nearer.sum())} of {len(nearer)}",
        ),
    ]
    ts = first.result.timeseries
    curves = {
        name: (ts[columns.TIME_S].to_numpy(), ts[columns.exit_column(name)].to_numpy())
        for name in (_R11_NEAR, _R11_FAR)
    }
    return Outcome(
        Verdict.of(bool(passed)),
        tuple(measurements),
        geometry=venue_figure(
            first.venue,
            "RiMEA 11: 30 m × 20 m room, 1,000 people; exit 1 (x = 21–22 m) is the nearer",
            people=first.start,
        ),
        figures=(
            _exit_use_figure(first),
            nt_figure(curves, f"RiMEA 11: people out by each exit (seed {ctx.seeds[0]})"),
        ),
        seeds=ctx.seeds,
        details=" ".join(notes),
    )


def _nearer_to(venue: Venue, pos: np.ndarray, name: str) -> np.ndarray:
    """True where exit ``name`` is the nearest exit to ``pos`` (straight line: an empty room)."""
    points = shapely.points(pos)
    dist = np.column_stack([shapely.distance(points, e.line) for e in venue.exits])
    return np.asarray(venue.exit_names)[np.argmin(dist, axis=1)] == name


def _exit_use_figure(run: SimRun) -> Figure:
    fig = new_figure(6.4, 4.6)
    ax = fig.axes[0]
    draw_area(ax, run.venue.walkable)
    r = run.result
    for k, name in enumerate(r.exit_names):
        used = r.exit_index == k
        ax.scatter(
            run.start[used, 0], run.start[used, 1], s=4, color=f"C{k}", label=f"left by {name}"
        )
        ax.plot(*run.venue.exits[k].line.xy, color=f"C{k}", linewidth=4)
    ax.set_aspect("equal")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    ax.legend(fontsize="small", loc="lower right")
    return to_figure(
        fig, f"RiMEA 11: start positions by the exit people left through (seed {r.seed})"
    )


@register(
    "NIST 4.1",
    title="Route availability: an exit becomes unavailable",
    source="NIST Technical Note 1822, test 4.1",
    setup="""The hall of RiMEA 10 with 40 people in each half choosing the nearest exit; the
    east exit becomes unavailable at t = 1 s.""",
    criterion="""Nobody leaves by the east exit after 1 s, and everybody leaves (by the west
    exit) in every run.""",
    quick=True,
)
def nist_4_1(ctx: CheckContext) -> Outcome:
    """NIST TN 1822 test 4.1."""
    venue = _two_exit_hall(40)
    late, remaining, west = 0, 0, 0
    for seed in ctx.seeds:
        run = run_venue(
            venue, seed=seed, workdir=None, time_limit_s=600.0, events=(ExitEvent(1.0, "east"),)
        )
        r = run.result
        east = r.exit_index == 1
        late += int(np.count_nonzero(east & (r.exit_times_s > 1.0 + 1e-9)))
        remaining += r.remaining
        west += r.per_exit["west"]
    return Outcome(
        Verdict.of(late == 0 and remaining == 0),
        (
            Measurement("people through the east exit after 1 s", late, "", "0"),
            Measurement("people left inside", remaining, "", "0"),
            Measurement("people through the west exit (all seeds)", west, "", ""),
        ),
        geometry=venue_figure(venue, "NIST 4.1: hall; the east exit closes at t = 1 s"),
        seeds=ctx.seeds,
    )


#: RiMEA 13 set-up: a 5 m × 8 m room, a 2 m door into a 12 m × 2 m corridor ending in a 3 m
#: stair upwards and 1 m of landing (JuPedSim's RiMEA 13 geometry), 150 people.
_R13_PEOPLE = 150
#: Speed on the stair upwards as a share of v0 (RiMEA 2's stair; the handbooks' 0.55–0.8 m/s
#: upstairs, Burghardt et al. 2014, is about half a free walking speed).
_R13_STAIR_FACTOR = 0.5


def _stair_foot_venue() -> Venue:
    room = box(-5, -3, 0, 5)
    corridor = box(0, 0, 16, 2)
    return Venue(
        name="RiMEA 13",
        area=room.union(corridor),
        speed_zones=(SpeedZone("stair", box(12, 0, 15, 2), _R13_STAIR_FACTOR),),
        exits=(Exit("top", LineString([(16, 0), (16, 2)])),),
        zones=(Zone("room", box(-4.7, -2.7, -0.3, 4.7), _R13_PEOPLE),),
    )


@register(
    "RiMEA 13",
    title="Congestion at the foot of a stair",
    source="RiMEA guideline 4.x, test 13; geometry of JuPedSim's RiMEA 13",
    setup="""150 adults (Weidmann speeds) leave a 5 m × 8 m room through a 2 m door into a 2 m wide
    corridor; after 12 m a stair leads up (3 m, speed factor 0.5: about 0.67 m/s for an
    average adult, the handbooks' 0.55–0.8 m/s upstairs) to a 1 m landing and the exit. Flows
    are counted with PedPy where the corridor begins (x = 0) and where the stair begins
    (x = 12 m); density in the last 2 m of corridor before the stair.""",
    criterion="""A jam forms at the foot of the stair: the flow onto the stair is lower than the
    flow into the corridor (by more than 5 %, the tolerance of JuPedSim's RiMEA 13 test), and
    the density just before the stair exceeds Fruin's level of service E (2.17 persons/m²)
    at its peak; everybody leaves.""",
    quick=False,
)
def rimea_13(ctx: CheckContext) -> Outcome:
    """RiMEA test 13."""
    venue = _stair_foot_venue()
    corridor_in = LineString([(0, 0), (0, 2)])
    stair_in = LineString([(12, 0), (12, 2)])
    foot = box(10, 0, 12, 2)
    j_cor, j_stair, peak, complete = [], [], [], True
    for seed in ctx.seeds:
        run = run_venue(venue, seed=seed, workdir=ctx.workdir, time_limit_s=600.0)
        complete &= run.result.completed
        j_cor.append(measure_flow(run.trajectory, corridor_in, width_m=2.0).flow_1_s)
        j_stair.append(measure_flow(run.trajectory, stair_in, width_m=2.0).flow_1_s)
        peak.append(float(density_series(run.trajectory, foot)[pedpy.DENSITY_COL].max()))
    jc, js, rho = float(np.mean(j_cor)), float(np.mean(j_stair)), float(np.mean(peak))
    passed = complete and js < jc * (1 - 0.05) and rho > FRUIN_F_PM2
    return Outcome(
        Verdict.of(passed),
        (
            Measurement("flow onto the stair / into the corridor", js / jc, "", "< 0.95"),
            Measurement("flow into the corridor, mean", jc, "1/s"),
            Measurement("flow onto the stair, mean", js, "1/s"),
            Measurement(
                "peak density in the 2 m before the stair, mean",
                rho,
                "1/m²",
                f"> {FRUIN_F_PM2} (Fruin F)",
            ),
        ),
        geometry=venue_figure(
            venue,
            "RiMEA 13: room, 2 m corridor, stair up (shaded) and exit",
            lines={"corridor in": corridor_in, "stair in": stair_in},
            areas={"stair": venue.speed_zones[0].area, "foot of the stair": foot},
        ),
        seeds=ctx.seeds,
    )


#: RiMEA 14 crowds: a few people (nobody congests anything) and a crowd.
_R14_FEW, _R14_CROWD = 20, 300


def _two_route_venue(people: int) -> Venue:
    """A 10 m square room, a short 1 m and a long 3 m corridor to the same end room and exit."""
    room = box(0, 0, 10, 10)
    short = box(10, 4.5, 30, 5.5)
    long_ = box(7, 10, 10, 20).union(box(7, 17, 33, 20)).union(box(30, 10, 33, 20))
    end = box(30, 0, 35, 10)
    return Venue(
        name="RiMEA 14",
        area=shapely.union_all([room, short, long_, end]),
        exits=(Exit("exit", LineString([(35, 3.5), (35, 6.5)])),),
        zones=(Zone("start", box(0.5, 0.5, 9.5, 9.5), people),),
    )


@register(
    "RiMEA 14",
    title="Route choice: a short congested route and a longer free one",
    source="RiMEA guideline 4.x, test 14 (route choice: short, long, mixed or configurable)",
    setup="""People start in a 10 m × 10 m room. To reach the exit of an end room they can take a
    short route (a 1 m wide corridor, 20 m) or a long one (a 3 m wide corridor round the north,
    about 43 m). 20 people (nobody congests the short route), then 300 (3 persons/m²: the
    queue at the 1 m corridor costs more than the 23 m detour), each with static routes
    (`[congestion] enabled = false`) and with the default congestion-aware routing. Each
    person's route is read from which corridor they crossed (PedPy).""",
    criterion="""RiMEA asks that the choice be documented as short, long, mixed or
    configurable. crowdsim's is configurable. Static routes: short, at least
    95 % of 20 people and more than 90 % of 300 on the short route. Congestion-aware routing:
    mixed, at least 95 % of 20 people on the short route, and with 300 both routes carry at
    least 10 % of the people. Everybody leaves in every run.""",
    quick=False,
)
def rimea_14(ctx: CheckContext) -> Outcome:
    """RiMEA test 14."""
    short_line = LineString([(20, 4.5), (20, 5.5)])
    long_line = LineString([(20, 17), (20, 20)])
    shares: dict[tuple[bool, int], list[float]] = {}
    complete = True
    for congestion in (False, True):
        for people in (_R14_FEW, _R14_CROWD):
            shares[congestion, people] = []
            for seed in ctx.seeds:
                run = run_venue(
                    _two_route_venue(people),
                    seed=seed,
                    workdir=ctx.workdir,
                    congestion=congestion,
                )
                complete &= run.result.completed
                n_short = measure_flow(run.trajectory, short_line, width_m=1.0).crossings
                n_long = measure_flow(run.trajectory, long_line, width_m=3.0).crossings
                shares[congestion, people].append(n_short / max(n_short + n_long, 1))
    mean = {k: float(np.mean(v)) for k, v in shares.items()}
    few_short = all(min(shares[c, _R14_FEW]) >= 0.95 for c in (False, True))
    static_short = min(shares[False, _R14_CROWD]) > 0.9
    mixed = 0.1 <= mean[True, _R14_CROWD] <= 0.9
    passed = complete and few_short and static_short and mixed

    def choice(share: float) -> str:
        return "mixed" if 0.1 <= share <= 0.9 else "short" if share > 0.9 else "long"

    measurements = []
    for congestion, label in ((False, "static routes"), (True, "congestion-aware routing")):
        crowd = mean[congestion, _R14_CROWD]
        measurements += [
            Measurement(
                f"share on the short route, {_R14_CROWD} people, {label}",
                crowd,
                "",
                "0.1–0.9" if congestion else "> 0.9",
            ),
            Measurement(
                f"share on the short route, {_R14_FEW} people, {label}",
                mean[congestion, _R14_FEW],
                "",
                "≥ 0.95",
            ),
            Measurement(f"choice, {label}", choice(crowd), "", "documented"),
        ]
    return Outcome(
        Verdict.of(passed),
        tuple(measurements),
        geometry=venue_figure(
            _two_route_venue(_R14_CROWD),
            "RiMEA 14: start room (west), short 1 m corridor and long 3 m corridor to the end room",
            lines={"short route": short_line, "long route": long_line},
        ),
        seeds=ctx.seeds,
    )
