"""Seeded random distributions for per-person attributes (pre-movement times, speeds).

A distribution is written in scenario files as a table, for example
``{dist = "lognormal", mu = 4.586, sigma = 0.967}`` (NIST TN 1822 case 1.1), and sampled with the
run's random generator so the same seed gives the same people.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Parameters each distribution takes (all in seconds or m/s, as the attribute it describes).
DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("mu", "sigma"),
    "gamma": ("shape", "scale"),
    "weibull": ("shape", "scale"),
}
#: Optional bounds, applied by resampling (truncation), never by clipping.
BOUNDS = ("min", "max")
#: Largest log of a value a log-normal distribution may reach (e**690 ≈ 1e300).
_LOG_MAX = 690.0
#: Least share of a distribution's values that must fall within its bounds: truncation by
#: redrawing then needs a few hundred rounds at most for a million draws.
MIN_SHARE_IN_BOUNDS = 0.01


@dataclass(frozen=True)
class Distribution:
    """A named distribution with its parameters and optional truncation bounds.

    Attributes:
        kind: One of :data:`DISTRIBUTIONS`.
        params: Its parameters by name.
        low: Lower truncation bound (samples below are redrawn).
        high: Upper truncation bound (samples above are redrawn).
    """

    kind: str
    params: dict[str, float] = field(default_factory=dict)
    low: float = -np.inf
    high: float = np.inf

    def __post_init__(self) -> None:
        if self.kind not in DISTRIBUTIONS:
            raise ValueError(
                f"unknown distribution {self.kind!r}; use one of {', '.join(DISTRIBUTIONS)}"
            )
        need = set(DISTRIBUTIONS[self.kind])
        if set(self.params) != need:
            raise ValueError(
                f"distribution {self.kind!r} takes {', '.join(sorted(need))}; "
                f"got {', '.join(sorted(self.params)) or 'nothing'}"
            )
        p = self.params
        positive = {
            "uniform": p.get("high", 1) > p.get("low", 0),
            "normal": p.get("sd", 1) >= 0,
            "lognormal": p.get("sigma", 1) >= 0,
            "gamma": p.get("shape", 1) > 0 and p.get("scale", 1) > 0,
            "weibull": p.get("shape", 1) > 0 and p.get("scale", 1) > 0,
        }
        if not positive.get(self.kind, True):
            raise ValueError(f"distribution {self.kind!r}: invalid parameters {p}")
        if not all(np.isfinite(v) for v in p.values()):
            raise ValueError(f"distribution {self.kind!r}: parameters must be finite, got {p}")
        if math.isnan(self.low) or math.isnan(self.high):
            raise ValueError("distribution bounds min and max must be numbers, got nan")
        if self.low >= self.high:
            raise ValueError(f"distribution bounds min={self.low} ≥ max={self.high}")
        if self.kind == "lognormal" and p["mu"] + 10 * p["sigma"] > _LOG_MAX:
            raise ValueError(
                f"distribution 'lognormal' {p}: mu + 10 sigma must stay below {_LOG_MAX:g} "
                "(values beyond 1e300 are not times or speeds)"
            )
        share = self.share_within_bounds
        if not share >= MIN_SHARE_IN_BOUNDS:  # NaN too (a law scipy cannot evaluate)
            raise ValueError(
                f"distribution {self.kind} {p}: only {100 * share:.2g} % of its values lie in "
                f"[min, max] = [{self.low:g}, {self.high:g}]; widen the bounds or move the "
                "distribution into them"
            )

    @classmethod
    def fixed(cls, value: float) -> Distribution:
        """Every sample is ``value``."""
        return cls("fixed", {"value": float(value)})

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | float | int) -> Distribution:
        """Build from a scenario-file table (or a bare number meaning ``fixed``).

        Raises:
            ValueError: With a message naming the offending key.
        """
        if isinstance(data, bool):
            raise ValueError(f"expected a number or a distribution table, got {data!r}")
        if isinstance(data, int | float):
            return cls.fixed(float(data))
        if not isinstance(data, Mapping) or "dist" not in data:
            raise ValueError(
                'expected a number or a table like {dist = "uniform", low = 10, high = 100}'
            )
        kind = data["dist"]
        params: dict[str, float] = {}
        bounds: dict[str, float] = {}
        for key, value in data.items():
            if key == "dist":
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{key} must be a number, got {value!r}")
            if key in BOUNDS:
                bounds[key] = float(value)
            else:
                params[key] = float(value)
        return cls(str(kind), params, bounds.get("min", -np.inf), bounds.get("max", np.inf))

    @property
    def share_within_bounds(self) -> float:
        """Probability that an untruncated draw falls in [min, max] (computed, not sampled)."""
        if self.kind == "fixed":
            return 1.0 if self.low <= self.params["value"] <= self.high else 0.0
        return _cdf(self.kind, self.params, self.high) - _cdf(self.kind, self.params, self.low)

    @property
    def support(self) -> tuple[float, float]:
        """Least and greatest value a sample can take (bounds applied), computed, not sampled."""
        p = self.params
        natural = {
            "fixed": lambda: (p["value"], p["value"]),
            "uniform": lambda: (p["low"], p["high"]),
            "normal": lambda: (-np.inf, np.inf) if p["sd"] > 0 else (p["mean"], p["mean"]),
            "lognormal": lambda: (0.0, np.inf),
            "gamma": lambda: (0.0, np.inf),
            "weibull": lambda: (0.0, np.inf),
        }
        least, most = natural[self.kind]()
        return (max(float(least), self.low), min(float(most), self.high))

    @property
    def mean(self) -> float:
        """Mean of the untruncated distribution."""
        p = self.params
        means = {
            "fixed": lambda: p["value"],
            "uniform": lambda: 0.5 * (p["low"] + p["high"]),
            "normal": lambda: p["mean"],
            "lognormal": lambda: float(np.exp(p["mu"] + 0.5 * p["sigma"] ** 2)),
            "gamma": lambda: p["shape"] * p["scale"],
            "weibull": lambda: p["scale"] * math.gamma(1 + 1 / p["shape"]),
        }
        return float(means[self.kind]())

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` values, redrawing any outside [min, max].

        At least :data:`MIN_SHARE_IN_BOUNDS` of the draws fall inside (checked on construction),
        so the redraws end: each round keeps that share of the values still outside.
        """
        out = self._draw(rng, n)
        bad = (out < self.low) | (out > self.high)
        while bad.any():
            out[bad] = self._draw(rng, int(bad.sum()))
            bad = (out < self.low) | (out > self.high)
        return out

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        p = self.params
        if self.kind == "fixed":
            return np.full(n, p["value"])
        if self.kind == "uniform":
            return rng.uniform(p["low"], p["high"], n)
        if self.kind == "normal":
            return rng.normal(p["mean"], p["sd"], n)
        if self.kind == "lognormal":
            return rng.lognormal(p["mu"], p["sigma"], n)
        if self.kind == "gamma":
            return rng.gamma(p["shape"], p["scale"], n)
        return p["scale"] * rng.weibull(p["shape"], n)


def _normal_cdf(z: float) -> float:
    """Standard normal distribution function (±inf allowed)."""
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def _cdf(kind: str, p: dict[str, float], x: float) -> float:
    """Distribution function of the untruncated law at ``x`` (±inf allowed).

    Closed forms (the regularised lower incomplete gamma function for ``gamma``), so that
    building a scenario does not import :mod:`scipy.stats`, which alone costs a noticeable share
    of ``crowdsim run``'s start-up; they agree with :mod:`scipy.stats` to rounding.
    """
    if kind == "uniform":
        return min(1.0, max(0.0, (x - p["low"]) / (p["high"] - p["low"])))
    if kind == "normal":
        return _normal_cdf((x - p["mean"]) / max(p["sd"], 1e-300))
    if x <= 0.0:
        return 0.0
    if math.isinf(x):
        return 1.0
    if kind == "lognormal":
        return _normal_cdf((math.log(x) - p["mu"]) / max(p["sigma"], 1e-300))
    if kind == "gamma":
        from scipy.special import gammainc  # already loaded with Mesa's scipy.spatial

        return float(gammainc(p["shape"], x / p["scale"]))
    return -math.expm1(-((x / p["scale"]) ** p["shape"]))
