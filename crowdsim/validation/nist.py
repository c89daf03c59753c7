"""NIST Technical Note 1822 and IMO MSC.1/Circ.1533 verification tests.

NIST TN 1822 (Ronchi, Kuligowski, Reneke, Peacock, Nilsson 2013) lists verification tests for
evacuation models; IMO MSC.1/Circ.1533 (2016) is the maritime guideline. Test 1.1 checks the
pre-evacuation time distributions, test 5.1 the congestion in front of a door, IMO test 4 /
NIST 5.2 the flow through a door (reported here as an informative comparison).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
from scipy import stats
from shapely.geometry import LineString, box

from crowdsim.model.distributions import Distribution
from crowdsim.validation.figures import new_figure, nt_figure, to_figure, venue_figure
from crowdsim.validation.measure import Flow, mean_density, measure_flow
from crowdsim.validation.registry import (
    CheckContext,
    Figure,
    Measurement,
    Outcome,
    Verdict,
    register,
)
from crowdsim.validation.rimea import ALPHA
from crowdsim.validation.simulate import SimRun, run_scenario, validation_scenario

#: Scenario files of NIST test 1.1, by distribution.
NIST_1_1 = {
    "uniform(10, 100) s": "nist_1_1_uniform.toml",
    "gamma(shape 1.291, scale 103.901 s)": "nist_1_1_gamma.toml",
    "log-normal(μ 4.586, σ 0.967)": "nist_1_1_lognormal.toml",
    "Weibull(scale 139.285 s, shape 1.195)": "nist_1_1_weibull.toml",
}
#: IMO MSC.1/Circ.1533 test 4: the flow through a 1 m door should not exceed 1.33 persons/s.
IMO_DOOR_FLOW_1_S = 1.33
#: Measured bottleneck flows per metre of width (Kretz 2006, Seyfried 2009, Liao 2014).
MEASURED_SPECIFIC_FLOW = (1.9, 2.4)

_DOOR_LINE = LineString([(8.2, 3.0), (8.2, 2.0)])
_BEFORE = box(6.0, 1.5, 8.0, 3.5)
_AFTER = box(8.2, 1.5, 10.2, 3.5)


def scipy_distribution(dist: Distribution) -> stats.rv_continuous:
    """The frozen scipy.stats distribution that a crowdsim :class:`Distribution` samples from.

    Raises:
        ValueError: For ``fixed`` and for truncated distributions (no plain counterpart).
    """
    p = dist.params
    if np.isfinite(dist.low) or np.isfinite(dist.high):
        raise ValueError("truncated distributions have no plain scipy counterpart")
    if dist.kind == "uniform":
        return stats.uniform(loc=p["low"], scale=p["high"] - p["low"])
    if dist.kind == "normal":
        return stats.norm(loc=p["mean"], scale=p["sd"])
    if dist.kind == "lognormal":
        return stats.lognorm(s=p["sigma"], scale=np.exp(p["mu"]))
    if dist.kind == "gamma":
        return stats.gamma(a=p["shape"], scale=p["scale"])
    if dist.kind == "weibull":
        return stats.weibull_min(c=p["shape"], scale=p["scale"])
    raise ValueError(f"distribution {dist.kind!r} has no continuous counterpart")


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
            starts = scenario.build_model(seed=seed).people.t_start
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
    Liao 2014). crowdsim has no per-door flow limit in this check, so neither is a
    criterion.""",
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
