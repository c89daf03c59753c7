"""RiMEA test 8: a parameter analysis on a multi-storey building.

RiMEA 4.x test 8 asks that a three-storey building be evacuated while one parameter varies,
and that the evacuation time respond to it plausibly. The check varies the crowd's desired
speed, the parameter every evacuation time depends on most directly, and runs the building
through crowdsim's multi-level model: storeys laid out in one plane, stairs as flights joined
to their landings (:mod:`crowdsim.venue.levels`).
"""

from __future__ import annotations

import numpy as np

from crowdsim.model import columns
from crowdsim.model.distributions import Distribution
from crowdsim.model.population import PopulationSpec
from crowdsim.validation.figures import nt_figure, venue_figure
from crowdsim.validation.registry import CheckContext, Measurement, Outcome, Verdict, register
from crowdsim.validation.simulate import run_venue, validation_venue

#: Factors on the desired speed (Weidmann's 1.34 ± 0.26 m/s, truncated at ±2 sd).
SPEED_FACTORS = (0.8, 1.0, 1.2)


def _crowd(factor: float) -> PopulationSpec:
    mean, sd = 1.34 * factor, 0.26 * factor
    speed = Distribution("normal", {"mean": mean, "sd": sd}, mean - 2 * sd, mean + 2 * sd)
    return PopulationSpec(desired_speed=speed)


@register(
    "RiMEA 8",
    title="Parameter analysis: a three-storey building",
    source="RiMEA guideline 4.x, test 8; stair flows of IMO MSC.1/Circ.1533",
    setup="""Three storeys of 24 m × 12 m with 40 people each (experiments/validation/venues/
    rimea_08_building.toml): each upper storey has a 1.2 m stair down at each end of its north
    wall (3.5 m rise, 7 m flight walked at 0.7 of the desired speed, at most 1.1 persons/(m·s)
    onto it), the ground floor two 2 m doors. The crowd's desired speed is Weidmann's
    1.34 ± 0.26 m/s times 0.8, 1.0 and 1.2; one run per seed and factor.""",
    criterion="""Everybody leaves every run without a wall penetration; nobody steps onto a stair
    sooner after the person before than its flow limit allows; and the time the last person
    leaves, averaged over the seeds, falls strictly as the desired speed rises.""",
    quick=False,
)
def rimea_8(ctx: CheckContext) -> Outcome:
    """RiMEA test 8."""
    venue = validation_venue("rimea_08_building.toml")
    limits = {st.name: st.max_flow_p_s or np.inf for st in venue.stairs}
    times = np.zeros((len(SPEED_FACTORS), len(ctx.seeds)))
    everybody, penetrations, too_close = True, 0, 0
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for i, factor in enumerate(SPEED_FACTORS):
        for j, seed in enumerate(ctx.seeds):
            run = run_venue(
                venue, population=_crowd(factor), seed=seed, workdir=None, time_limit_s=600.0
            )
            r = run.result
            times[i, j] = r.evacuation_time_s
            everybody &= r.completed and r.evacuated == 120
            penetrations += r.wall_penetrations
            for name, entries in r.stair_entries_s.items():
                too_close += int(np.count_nonzero(np.diff(entries) < 1.0 / limits[name] - 1e-9))
            if seed == ctx.seeds[0]:
                ts = r.timeseries
                curves[f"v0 × {factor:g}"] = (
                    ts[columns.TIME_S].to_numpy(),
                    ts[columns.EVACUATED].to_numpy(),
                )
    mean = times.mean(axis=1)
    falling = bool(np.all(np.diff(mean) < 0))
    passed = everybody and penetrations == 0 and too_close == 0 and falling
    measurements = [
        Measurement(
            f"T at v0 × {f:g}, mean of {len(ctx.seeds)} seeds",
            float(t),
            "s",
            "falls as v0 rises",
        )
        for f, t in zip(SPEED_FACTORS, mean, strict=True)
    ]
    measurements += [
        Measurement(f"T at v0 × {f:g} per seed", ", ".join(f"{t:.1f}" for t in row), "s")
        for f, row in zip(SPEED_FACTORS, times, strict=True)
    ]
    measurements += [
        Measurement(
            "T(v0 × 0.8) / T(v0 × 1.2)",
            float(mean[0] / mean[-1]),
            "",
            "informative: 1.5 if walking alone set the time",
        ),
        Measurement("stair entries closer than the flow limit allows", too_close, "", "0"),
        Measurement("wall penetrations", penetrations, "", "0"),
    ]
    return Outcome(
        Verdict.of(passed),
        tuple(measurements),
        geometry=venue_figure(
            venue,
            "RiMEA 8: the three storeys (ground, first, second, left to right) and the four "
            "flights (below) as laid out in crowdsim's plane",
        ),
        figures=(nt_figure(curves, f"RiMEA 8: people out over time (seed {ctx.seeds[0]})"),),
        seeds=ctx.seeds,
        details=(
            "The time does not scale with 1/v0 alone: queues at the stairs' entries, whose flow "
            "limit does not depend on the walking speed, take part of it."
        ),
    )
