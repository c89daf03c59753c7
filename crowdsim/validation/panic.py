"""Faster-is-slower: a competitive crowd clogs a door, a polite one does not (EMP 4)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from crowdsim.model.distributions import Distribution
from crowdsim.model.scenario import Scenario
from crowdsim.validation.figures import new_figure, to_figure, venue_figure
from crowdsim.validation.registry import (
    CheckContext,
    Figure,
    Measurement,
    Outcome,
    Verdict,
    register,
)
from crowdsim.validation.simulate import run_scenario, validation_scenario

#: Desired speeds of the sweep (m/s), Helbing, Farkas & Vicsek 2000, Fig. 1c.
FIS_SPEEDS = (0.6, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0)
#: The two crowds of the check: competitiveness 1 (pushing) and 0 (normal egress).
CROWDS = (("competitive", 1.0), ("polite", 0.0))
#: The polite crowd's T95 at the fastest speed is compared with its T95 at this speed (m/s).
POLITE_BASE_SPEED = 1.5
#: A rise counts when it exceeds this many standard errors of the paired differences (about
#: a one-sided 95 % level).
RISE_STANDARD_ERRORS = 2.0
#: The competitive crowd runs over at least this many seeds (the suite's, then the next ones):
#: its rise is two to three standard errors, and over three seeds the verdict depended on which
#: three (docs/validation.md, calibration step 14).
COMPETITIVE_SEEDS = 6


@register(
    "EMP 4",
    title="Faster-is-slower",
    source="""Helbing, Farkas & Vicsek 2000, Nature 407:487, Fig. 1c (competitive);
    Haghani, Sarvi & Shahhoseini 2019, Transp. Res. A 122:51, and Nicolas, Bouzat & Kuperman
    2017, Transp. Res. B 99:30 (non-aggressive)""",
    setup=f"""200 people leave a 15 m × 15 m room through a 1 m door (scenario
    experiments/validation/faster_is_slower.toml) with the same desired speed v0 for
    everybody, v0 = 0.6, 1.0, 1.5, 2.0, 3.0, 4.0 and 5.0 m/s; one run per seed, speed and
    crowd. The crowd is competitive (competitiveness 1: the escape-panic physics of HFV
    2000; {COMPETITIVE_SEEDS} seeds, the suite's and then the next ones) or polite
    (competitiveness 0: the calibrated normal-egress physics; the suite's seeds). As in HFV's
    simulations everybody heads straight for the door (static routes). The evacuation time
    is the time by which 95 % of the people are out (T95); the time the last person leaves
    is reported too.""",
    criterion="""Competitive crowd: HFV found the leaving time shortest at an intermediate
    desired speed (about 1.5 m/s) and longer above it, where arches clog the door. The mean
    T95 over the seeds must be shortest at an intermediate speed (neither 0.6 nor 5 m/s), and
    T95 at 5 m/s must exceed T95 at that speed by more than twice the standard error of their
    paired (same seed) differences. Polite crowd: in experiments where people hurried without
    pushing, faster was faster (Haghani et al. 2019; Nicolas et al. 2017): the mean T95 at
    5 m/s must be shorter than at 1.5 m/s.""",
    quick=False,
)
def emp_faster_is_slower(ctx: CheckContext) -> Outcome:
    """Faster-is-slower effect for a competitive crowd, faster-is-faster for a polite one."""
    scenario = validation_scenario("faster_is_slower.toml")
    seeds = {"competitive": ctx.at_least(COMPETITIVE_SEEDS), "polite": ctx.seeds}
    sweeps = {name: _sweep(scenario, share, seeds[name]) for name, share in CROWDS}
    t95 = sweeps["competitive"][0]
    mean = _mean_t95(t95)
    best = int(np.argmin(mean))
    rise = t95[-1] - t95[best]
    se = float(rise.std(ddof=1) / np.sqrt(rise.size)) if rise.size > 1 else 0.0
    interior = 0 < best < len(FIS_SPEEDS) - 1
    clear_rise = bool(np.isfinite(rise).all() and rise.mean() > RISE_STANDARD_ERRORS * se)
    polite = _mean_t95(sweeps["polite"][0])
    base = FIS_SPEEDS.index(POLITE_BASE_SPEED)
    faster = bool(polite[-1] < polite[base])
    measurements = [
        Measurement(
            "competitive: speed of the shortest T95",
            FIS_SPEEDS[best],
            "m/s",
            "between 0.6 and 5 m/s (HFV: about 1.5)",
        ),
        Measurement(
            "competitive: T95 at 5 m/s minus the shortest (mean ± standard error)",
            f"{rise.mean():.1f} ± {se:.1f}" if np.isfinite(rise).all() else "n/a",
            "s",
            f"> {RISE_STANDARD_ERRORS:g} standard errors",
        ),
        Measurement(
            "polite: T95 at 5 m/s against 1.5 m/s (means)",
            f"{_mean_or_na(sweeps['polite'][0][-1])} / {_mean_or_na(sweeps['polite'][0][base])}",
            "s",
            "shorter at 5 m/s",
        ),
    ]
    notes: list[str] = []
    for name, (times, last, never) in sweeps.items():
        measurements += [
            Measurement(
                f"{name}, v0 = {v0:.1f} m/s: T95 / last out (means)",
                f"{_mean_or_na(times[i])} / {_mean_or_na(last[i])}",
                "s",
                f"{never[i]} never left" if never[i] else "",
            )
            for i, v0 in enumerate(FIS_SPEEDS)
        ]
        notes += [
            f"{name}, v0 = {v0:.1f} m/s: {never[i]} people never left."
            for i, v0 in enumerate(FIS_SPEEDS)
            if never[i]
        ]
    return Outcome(
        Verdict.of(interior and clear_rise and faster),
        tuple(measurements),
        geometry=venue_figure(
            scenario.venue, "Faster-is-slower: 15 m × 15 m room, 200 people, 1 m door"
        ),
        figures=(_fis_figure(sweeps),),
        seeds=seeds["competitive"],
        details=" ".join(notes),
    )


def _sweep(
    scenario: Scenario, share: float, seeds: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """T95 and last-out times (speeds × seeds) and the people left inside, per speed."""
    t95 = np.empty((len(FIS_SPEEDS), len(seeds)))
    total = np.empty_like(t95)
    stuck = np.zeros(len(FIS_SPEEDS), dtype=int)
    for i, v0 in enumerate(FIS_SPEEDS):
        crowd = scenario.with_overrides(
            population=replace(
                scenario.population,
                desired_speed=Distribution.fixed(v0),
                competitiveness=share,
            )
        )
        for j, seed in enumerate(seeds):
            result = run_scenario(crowd, seed=seed, workdir=None).result
            t95[i, j], total[i, j] = result.p95_exit_time_s, result.evacuation_time_s
            stuck[i] += result.remaining
    return t95, total, stuck


def _mean_t95(t95: np.ndarray) -> np.ndarray:
    """Mean over the seeds; T95 is NaN where fewer than 95 % got out: infinitely slow."""
    return np.where(np.isnan(t95), np.inf, t95).mean(axis=1)


def _mean_or_na(values: np.ndarray) -> str:
    return "n/a" if np.isnan(values).any() else f"{values.mean():.1f}"


def _fis_figure(sweeps: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]) -> Figure:
    fig = new_figure()
    ax = fig.axes[0]
    v = np.array(FIS_SPEEDS)
    for (name, (t95, _, _)), marker in zip(sweeps.items(), ("o-", "s--"), strict=True):
        ax.plot(v, t95.mean(axis=1), marker, label=f"{name} crowd: T95 (mean over seeds)")
        for j in range(t95.shape[1]):
            ax.scatter(v, t95[:, j], color="0.6", s=10)
    ax.set_xlabel("desired speed v0 (m/s)")
    ax.set_ylabel("time by which 95 % are out (s)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return to_figure(fig, "Faster-is-slower: evacuation time against desired speed")
