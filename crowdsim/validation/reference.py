"""Reference distributions: the scipy.stats counterpart of a crowdsim distribution.

The checks compare what the model produced (start times, walking speeds) with the distribution
it was asked to draw from, by Kolmogorov–Smirnov tests against the scipy.stats distribution
returned here.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from crowdsim.model.distributions import Distribution


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
