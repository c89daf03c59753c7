"""Validation of the flow through narrow openings: single doors, gates, gaps between bollards.

Security measures act where the way is narrow, so the flow through openings of 0.5–1.2 m is
checked on its own, for two shapes of opening: square corners (a door in a wall, a gap in a
fence) and a funnelled mouth (bevelled jambs, as at the Wuppertal entrance). Each family is a
check of its own; both are measured with PedPy like the experiments.
"""

from __future__ import annotations

import numpy as np
from shapely.geometry import LineString

from crowdsim.validation import venues
from crowdsim.validation.empirical import FLOW_TOLERANCE, experiment_flow, simulated_flow
from crowdsim.validation.figures import new_figure, to_figure, venue_figure
from crowdsim.validation.reference import MEASURED_SPECIFIC_FLOW
from crowdsim.validation.registry import (
    CheckContext,
    Figure,
    Measurement,
    Outcome,
    Verdict,
    register,
)

#: Widths of the openings (m).
WIDTHS_M = (0.5, 0.8, 1.0, 1.2)
#: Depth of the openings (m): a door in a wall of 0.4 m.
DEPTH_M = 0.4
#: People waiting in front of the opening, at 3 persons/m².
PEOPLE = 100
#: Bevel of the funnelled jambs (m, at 45°), as at the Wuppertal entrance.
FUNNEL_M = 0.15
#: Widths judged against the Wuppertal 0.5 m experiment rather than the wider bottlenecks.
SINGLE_FILE_M = 0.5

_SETUP = f"""An opening 0.5, 0.8, 1.0 and 1.2 m wide and {DEPTH_M} m deep in a straight
    wall, {PEOPLE} people waiting in front of it in an area 6 m wide at 3 persons/m², an
    area 8 m × 4 m beyond it whose far edge is the exit. {{shape}} Default Weidmann speeds and
    radii; one run per width and seed. PedPy measures the steady specific flow,
    (N₉₀ − N₁₀)/(t₉₀ − t₁₀)/b, where people leave the opening."""
_CRITERION = """At every width the specific flow (mean over the seeds) lies in the range
    measured for such openings: at 0.5 m within ±15 % of the flow PedPy measures on the
    Wuppertal 0.5 m entrance experiment (2.32 persons/(m·s); ±15 % is the spread between
    bottleneck experiments of equal width, as in EMP 1); at 0.8–1.2 m within 1.9–2.4
    persons/(m·s), the range of the bottleneck experiments of Kretz et al. 2006, Seyfried et
    al. 2009 and Liao et al. 2014."""
_SOURCE = (
    "Adrian et al. 2020 (Wuppertal 0.5 m entrance); Kretz et al. 2006; Seyfried et al. 2009; "
    "Liao et al. 2014"
)


@register(
    "EMP 5",
    title="Flow through narrow openings with square corners (0.5–1.2 m)",
    source=_SOURCE,
    setup=_SETUP.format(shape="The jambs have square corners (a door in a wall, a fence gap)."),
    criterion=_CRITERION,
    quick=False,
)
def emp_square_openings(ctx: CheckContext) -> Outcome:
    """Specific flow through square-cornered openings of 0.5–1.2 m."""
    return _openings(ctx, funnel_m=0.0)


@register(
    "EMP 6",
    title="Flow through narrow openings with a funnelled mouth (0.5–1.2 m)",
    source=_SOURCE,
    setup=_SETUP.format(
        shape=f"Both jambs are bevelled by {FUNNEL_M} m at 45° at the mouth, as at the "
        "Wuppertal entrance."
    ),
    criterion=_CRITERION,
    quick=False,
)
def emp_funnelled_openings(ctx: CheckContext) -> Outcome:
    """Specific flow through openings of 0.5–1.2 m whose jambs are bevelled at the mouth."""
    return _openings(ctx, funnel_m=FUNNEL_M)


def measured_range(width_m: float) -> tuple[float, float]:
    """Specific flows (1/(m·s)) measured for an opening ``width_m`` wide, lowest and highest."""
    if width_m <= SINGLE_FILE_M:
        js = experiment_flow("wuppertal-0.5").specific_flow
        return (1 - FLOW_TOLERANCE) * js, (1 + FLOW_TOLERANCE) * js
    return MEASURED_SPECIFIC_FLOW


def _flow(width_m: float, funnel_m: float, seed: int, ctx: CheckContext) -> float:
    venue = venues.opening(width_m, people=PEOPLE, depth_m=DEPTH_M, funnel_m=funnel_m)
    line = LineString([(-width_m / 2, DEPTH_M), (width_m / 2, DEPTH_M)])
    return simulated_flow(venue, line, width_m=width_m, people=PEOPLE, seed=seed, ctx=ctx)


def _openings(ctx: CheckContext, *, funnel_m: float) -> Outcome:
    flows = np.array([[_flow(w, funnel_m, s, ctx) for s in ctx.seeds] for w in WIDTHS_M])
    means = flows.mean(axis=1)
    ranges = [measured_range(w) for w in WIDTHS_M]
    within = [lo <= js <= hi for js, (lo, hi) in zip(means, ranges, strict=True)]
    measurements = tuple(
        Measurement(
            f"{w:.1f} m: specific flow (mean)",
            float(js),
            "1/(m·s)",
            f"{lo:.2f}–{hi:.2f}" + ("" if ok else " (outside)"),
        )
        for w, js, (lo, hi), ok in zip(WIDTHS_M, means, ranges, within, strict=True)
    )
    shape = f"funnelled ({funnel_m} m bevels)" if funnel_m > 0 else "square-cornered"
    example = venues.opening(WIDTHS_M[0], people=PEOPLE, depth_m=DEPTH_M, funnel_m=funnel_m)
    return Outcome(
        Verdict.of(all(within)),
        measurements,
        geometry=venue_figure(
            example,
            f"{shape.capitalize()} opening of {WIDTHS_M[0]} m: waiting area, opening, exit; "
            "flow measured where people leave the opening",
        ),
        figures=(_figure(flows, ranges, shape),),
        seeds=ctx.seeds,
    )


def _figure(flows: np.ndarray, ranges: list[tuple[float, float]], shape: str) -> Figure:
    fig = new_figure()
    ax = fig.axes[0]
    lo, hi = np.array(ranges).T
    ax.fill_between(WIDTHS_M, lo, hi, color="tab:green", alpha=0.15, label="measured range")
    ax.errorbar(WIDTHS_M, flows.mean(axis=1), yerr=flows.std(axis=1), fmt="o-", label="simulation")
    ax.set_xlabel("opening width b (m)")
    ax.set_ylabel("specific flow Js (1/(m·s))")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return to_figure(fig, f"Specific flow through {shape} openings against their width")
