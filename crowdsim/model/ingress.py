"""Ingress through security: arrivals over time, screening lanes with service times, queues.

People appear in entry regions at their arrival times, pick the screening lane with the
shortest queue (ties: the nearest), queue physically in front of its gate, are held at the gate
for their service time, go to a secondary-search area if selected, and count as *entered* when
they reach the destination region.

Default service times are practitioner figures: walk-through metal detector 5–7 s per person
(about 400–600 persons/h per lane), hand search of people with bags 6–15 s, turnstile about
11 persons/min.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from crowdsim.model.distributions import Distribution


def _default_service() -> dict[str, Distribution]:
    return {
        "wtmd": Distribution("uniform", {"low": 5.0, "high": 7.0}),
        "bag_search": Distribution("uniform", {"low": 6.0, "high": 15.0}),
        "turnstile": Distribution.fixed(60.0 / 11.0),
    }


@dataclass(frozen=True)
class Arrivals:
    """People arriving at one entry region.

    Attributes:
        entry: Name of the region where they appear.
        total: How many arrive.
        start_s: Start of the arrival window (s).
        end_s: End of the arrival window (s); arrivals are spread uniformly over it unless a
            profile is given.
        profile: Optional piecewise-constant arrival rate: (time s, relative rate) pairs, each
            rate holding until the next time and the last until ``end_s``.
    """

    entry: str
    total: int
    start_s: float = 0.0
    end_s: float = 600.0
    profile: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        if self.total < 0 or self.end_s < self.start_s:
            raise ValueError(f"arrivals at {self.entry!r}: need total ≥ 0 and end_s ≥ start_s")

    def times(self, rng: np.random.Generator) -> np.ndarray:
        """Sorted arrival times (s)."""
        u = np.sort(rng.random(self.total))
        if not self.profile:
            return self.start_s + u * (self.end_s - self.start_s)
        t = np.array([p[0] for p in self.profile] + [self.end_s], float)
        rate = np.array([p[1] for p in self.profile], float)
        if np.any(np.diff(t) < 0) or np.any(rate < 0) or not np.any(rate > 0):
            raise ValueError(f"arrivals at {self.entry!r}: profile times must rise, rates ≥ 0")
        cum = np.concatenate([[0.0], np.cumsum(rate * np.diff(t))])
        return np.interp(u * cum[-1], cum, t)


@dataclass(frozen=True)
class IngressSpec:
    """An ingress scenario.

    Attributes:
        arrivals: Arrival streams.
        destination: Region name that counts as *in* (the protected area).
        service: Service-time distribution (s) per lane type.
        secondary_share: Share of the screened people sent to secondary search.
        secondary_region: Region where secondary search happens (needed if the share > 0).
        secondary_s: Secondary-search time (s).
    """

    arrivals: tuple[Arrivals, ...]
    destination: str
    service: dict[str, Distribution] = field(default_factory=_default_service)
    secondary_share: float = 0.0
    secondary_region: str | None = None
    secondary_s: Distribution = field(default_factory=lambda: Distribution.fixed(60.0))

    def __post_init__(self) -> None:
        if not 0.0 <= self.secondary_share <= 1.0:
            raise ValueError("secondary_share must lie in [0, 1]")
        if self.secondary_share > 0 and self.secondary_region is None:
            raise ValueError("secondary_share > 0 needs a secondary_region")

    @property
    def total(self) -> int:
        """People arriving in all."""
        return sum(a.total for a in self.arrivals)

    def service_for(self, lane_type: str) -> Distribution:
        """The service-time distribution of a lane type (defaults included)."""
        table = {**_default_service(), **self.service}
        if lane_type not in table:
            raise ValueError(
                f"no service time for lane type {lane_type!r}; give one in [ingress.service] "
                f"(known: {', '.join(sorted(table))})"
            )
        return table[lane_type]


def spawn_positions(
    region: BaseGeometry,
    radius: np.ndarray,
    others: np.ndarray,
    rng: np.random.Generator,
    tries: int = 20,
) -> np.ndarray:
    """Free spots in ``region`` for people of ``radius``, clear of ``others`` (positions).

    Returns:
        (n, 2) positions; NaN rows for people who found no room this time (they try again).
    """
    n = len(radius)
    out = np.full((n, 2), np.nan)
    if n == 0:
        return out
    xmin, ymin, xmax, ymax = region.bounds
    placed: list[np.ndarray] = [others.reshape(-1, 2)]
    tree = cKDTree(placed[0]) if len(placed[0]) else None
    new: list[np.ndarray] = []
    for i in range(n):
        cand = np.column_stack([rng.uniform(xmin, xmax, tries), rng.uniform(ymin, ymax, tries)])
        cand = cand[shapely.contains_xy(region, cand[:, 0], cand[:, 1])]
        for c in cand:
            clear = tree is None or not tree.query_ball_point(c, 2 * radius[i] + 0.05)
            if clear and all(np.hypot(*(c - p)) > 2 * radius[i] + 0.05 for p in new):
                out[i] = c
                new.append(c)
                break
    return out
