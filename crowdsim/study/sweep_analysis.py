"""What a sweep's runs say: summaries with intervals, main effects, interactions, sensitivity.

Everything here reads the tidy table of a sweep (:func:`crowdsim.study.load`): one row per run
with the design ``point``, one column per parameter path, ``seed``, ``status`` (``completed``,
``time_limit`` or ``error``) and every metric. Runs that hit the time limit are *censored*:
their evacuation time is unknown (only that it exceeds the limit), so they are counted apart
and never averaged in as times; failed runs are counted and listed.

Confidence intervals are percentile bootstraps over the runs, seeded, so a report re-made from
the same results shows the same numbers. Sensitivity indices come from SALib: Sobol' first-
and total-order indices (Saltelli 2002; Saltelli et al. 2010) for Sobol' designs, and Morris'
elementary effects (μ*, σ; Campolongo et al. 2007) for Morris designs, each with its bootstrap
interval.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from crowdsim.study.sweep_design import POINT, salib_problem, unit_matrix
from crowdsim.study.sweep_file import Sweep, salib

#: Status of a run that reached the end (everybody safe).
COMPLETED = "completed"
#: Status of a run stopped by its time limit with people inside: censored.
TIME_LIMIT = "time_limit"
#: Status of a run that raised.
ERROR = "error"
#: Default level of every interval.
CONFIDENCE = 0.95
#: Default bootstrap resamples.
RESAMPLES = 2000

_STATISTICS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "mean": lambda x: np.mean(x, axis=-1),
    "median": lambda x: np.median(x, axis=-1),
    "p95": lambda x: np.quantile(x, 0.95, axis=-1),
}


@dataclass(frozen=True)
class Interval:
    """An estimate with its confidence interval.

    Attributes:
        estimate: The statistic of the sample.
        low: Lower end of the interval (NaN if the sample is too small).
        high: Upper end.
    """

    estimate: float
    low: float
    high: float


def bootstrap(
    values: Sequence[float] | np.ndarray,
    statistic: str = "mean",
    *,
    confidence: float = CONFIDENCE,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> Interval:
    """Percentile-bootstrap interval of ``statistic`` (``mean``, ``median`` or ``p95``).

    Args:
        values: The sample (NaNs dropped).
        statistic: Which statistic.
        confidence: Two-sided level of the interval.
        resamples: Bootstrap resamples.
        seed: Seed of the resampling (same seed, same interval).

    Returns:
        The statistic and its interval; the interval is NaN for fewer than two values.
    """
    x = np.asarray(values, float)
    x = x[np.isfinite(x)]
    f = _STATISTICS[statistic]
    if len(x) == 0:
        return Interval(np.nan, np.nan, np.nan)
    estimate = float(f(x))
    if len(x) < 2:
        return Interval(estimate, np.nan, np.nan)
    rng = np.random.default_rng(seed)
    samples = f(x[rng.integers(0, len(x), size=(resamples, len(x)))])
    alpha = (1 - confidence) / 2
    low, high = np.quantile(samples, [alpha, 1 - alpha])
    return Interval(estimate, float(low), float(high))


def parameter_columns(runs: pd.DataFrame, sweep: Sweep | None = None) -> list[str]:
    """The parameter columns of a sweep table (the sweep's paths, or the dotted columns)."""
    if sweep is not None:
        return [p.path for p in sweep.parameters]
    return [c for c in runs.columns if "." in c or c in ("layout", "time_limit_s")]


def status_counts(runs: pd.DataFrame) -> dict[str, int]:
    """Runs by status, every status listed."""
    counts = runs["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in (COMPLETED, TIME_LIMIT, ERROR)}


def summary_table(
    runs: pd.DataFrame,
    *,
    metric: str = "evacuation_time_s",
    by: Sequence[str] | None = None,
    confidence: float = CONFIDENCE,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> pd.DataFrame:
    """Per point (or per combination of ``by``): runs, censored, errors, and statistics with CIs.

    The statistics (mean, median, 95th percentile, each with ``_low``/``_high`` interval
    columns) are over the completed runs only; ``censored`` counts runs that hit the time
    limit, whose times are unknown.
    """
    keys = list(by) if by is not None else [POINT, *parameter_columns(runs)]
    rows = []
    for key, group in runs.groupby(keys, sort=True, dropna=False):
        values = group.loc[group["status"] == COMPLETED, metric].to_numpy(float)
        values_of_keys = key if isinstance(key, tuple) else (key,)
        row: dict[str, Any] = dict(zip(keys, values_of_keys, strict=True))
        row.update(
            runs=len(group),
            completed=int((group["status"] == COMPLETED).sum()),
            censored=int((group["status"] == TIME_LIMIT).sum()),
            errors=int((group["status"] == ERROR).sum()),
        )
        for k, stat in enumerate(_STATISTICS):
            ci = bootstrap(values, stat, confidence=confidence, resamples=resamples, seed=seed + k)
            row.update({stat: ci.estimate, f"{stat}_low": ci.low, f"{stat}_high": ci.high})
        rows.append(row)
    return pd.DataFrame(rows)


def main_effects(
    runs: pd.DataFrame,
    parameter: str,
    *,
    metric: str = "evacuation_time_s",
    bins: int = 8,
    confidence: float = CONFIDENCE,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> pd.DataFrame:
    """The metric's mean against one parameter, averaged over every other parameter and seed.

    A parameter with more than ``bins`` distinct values (a sampled design) is grouped into
    ``bins`` equal-width bins, each shown at the mean of its values.

    Returns:
        One row per level: ``level``, ``runs``, ``censored``, ``mean``, ``low``, ``high``.
    """
    level = _levels(runs[parameter], bins)
    rows = []
    for value, group in runs.groupby(level, sort=True):
        done = group.loc[group["status"] == COMPLETED, metric].to_numpy(float)
        ci = bootstrap(done, "mean", confidence=confidence, resamples=resamples, seed=seed)
        rows.append(
            {
                "level": value,
                "runs": len(group),
                "censored": int((group["status"] == TIME_LIMIT).sum()),
                "mean": ci.estimate,
                "low": ci.low,
                "high": ci.high,
            }
        )
    return pd.DataFrame(rows)


def interaction(
    runs: pd.DataFrame, x: str, y: str, *, metric: str = "evacuation_time_s", bins: int = 8
) -> pd.DataFrame:
    """The metric's mean over two parameters: rows ``y`` levels, columns ``x`` levels.

    Sampled parameters are binned as in :func:`main_effects`; cells without a completed run
    are NaN.
    """
    done = runs[runs["status"] == COMPLETED]
    table = pd.DataFrame(
        {"x": _levels(done[x], bins), "y": _levels(done[y], bins), "v": done[metric]}
    )
    return table.pivot_table(index="y", columns="x", values="v", aggfunc="mean").sort_index()


def _levels(values: pd.Series, bins: int) -> pd.Series:
    """The values themselves, or the mean of each equal-width bin when there are many."""
    if not pd.api.types.is_numeric_dtype(values) or values.nunique() <= bins:
        return values
    cut = pd.cut(values, bins)
    return values.groupby(cut, observed=True).transform("mean").round(6)


@dataclass(frozen=True)
class Sensitivity:
    """Sensitivity indices of one metric.

    Attributes:
        method: ``sobol`` or ``morris``.
        metric: The output analysed.
        table: One row per parameter: Sobol' ``S1``, ``S1_conf``, ``ST``, ``ST_conf``; Morris
            ``mu_star``, ``mu_star_conf``, ``sigma``, ``mu``. ``*_conf`` is the half-width of
            the bootstrap interval at the stated confidence.
        points: Design points analysed (each the mean over its completed replications).
        note: Why the analysis is missing or what limits it (empty when none).
    """

    method: str
    metric: str
    table: pd.DataFrame
    points: int
    note: str = ""


def sensitivity(
    runs: pd.DataFrame,
    sweep: Sweep,
    *,
    metric: str = "evacuation_time_s",
    confidence: float = CONFIDENCE,
    resamples: int = 1000,
    seed: int = 0,
) -> Sensitivity:
    """Sobol' or Morris indices of ``metric`` for a sweep with that design (SALib).

    Each design point's output is the mean of its completed replications. SALib's estimators
    need every point: if a point has no completed run (all censored or failed, or not run yet)
    the indices cannot be estimated, and the returned object says so in ``note``.

    Raises:
        ValueError: If the sweep's design is neither ``sobol`` nor ``morris``.
    """
    kind = sweep.design.kind
    if kind not in ("sobol", "morris"):
        raise ValueError(f"sensitivity indices need a sobol or morris design, not {kind}")
    names = [p.path for p in sweep.parameters]
    x = unit_matrix(sweep)
    done = runs[runs["status"] == COMPLETED]
    y = done.groupby(POINT)[metric].mean().reindex(range(len(x))).to_numpy(float)
    missing = int(np.sum(~np.isfinite(y)))
    if missing:
        note = (
            f"{missing} of {len(y)} design points have no completed run of {metric} (censored, "
            "failed or not run yet); indices need every point: raise time_limit_s or finish "
            "the sweep"
        )
        return Sensitivity(kind, metric, pd.DataFrame(index=names), len(y), note)
    problem = salib_problem(sweep)
    if kind == "sobol":
        res = salib("analyze.sobol").analyze(
            problem,
            y,
            calc_second_order=sweep.design.second_order,
            num_resamples=resamples,
            conf_level=confidence,
            seed=seed,
        )
        cols = ("S1", "S1_conf", "ST", "ST_conf")
    else:
        res = salib("analyze.morris").analyze(
            problem,
            x,
            y,
            num_resamples=resamples,
            conf_level=confidence,
            num_levels=sweep.design.levels,
            seed=seed,
        )
        cols = ("mu_star", "mu_star_conf", "sigma", "mu")
    table = pd.DataFrame({c: np.asarray(res[c], float) for c in cols}, index=names)
    table.index.name = "parameter"
    return Sensitivity(kind, metric, table, len(y))
