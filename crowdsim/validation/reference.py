"""Reference values shared by the checks, and the scipy.stats counterpart of a distribution.

The checks compare what the model produced (start times, walking speeds) with the distribution
it was asked to draw from, by Kolmogorov–Smirnov tests against the scipy.stats distribution
returned here.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from crowdsim.model.distributions import Distribution
from crowdsim.model.metrics import FRUIN_LOS

#: Family-wise significance level of the Kolmogorov–Smirnov tests (Bonferroni-corrected).
ALPHA = 0.05
#: Measured bottleneck flows per metre of width (Kretz 2006, Seyfried 2009, Liao 2014).
MEASURED_SPECIFIC_FLOW = (1.9, 2.4)
#: Fruin's level-of-service E begins above this density (walkways, persons/m²): "congested".
FRUIN_E_PM2 = dict(FRUIN_LOS)["D"]
#: Fruin's level-of-service F begins above this density (persons/m²): "shuffling", frequent
#: unavoidable contact.
FRUIN_F_PM2 = dict(FRUIN_LOS)["E"]


def weidmann_speed(density_pm2: np.ndarray) -> np.ndarray:
    """Weidmann (1993): v(ρ) = 1.34·[1 − exp(−1.913·(1/ρ − 1/5.4))] m/s, ρ in persons/m²."""
    rho = np.asarray(density_pm2, dtype=float)
    return 1.34 * (1.0 - np.exp(-1.913 * (1.0 / rho - 1.0 / 5.4)))


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
