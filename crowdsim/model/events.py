"""Things that happen on the timeline: exits closing or opening, shelters locking, threats."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ExitEvent:
    """An exit closes (it becomes a wall; its users re-route) or opens again at ``at_s``.

    Attributes:
        at_s: Time of the event (s after the alarm).
        exit: Exit name.
        open: True to open, False to close.
    """

    at_s: float
    exit: str
    open: bool = False


@dataclass(frozen=True)
class ShelterLock:
    """A shelter's doors are locked at ``at_s`` (lockdown): nobody else gets in."""

    at_s: float
    shelter: str


@dataclass(frozen=True)
class Threat:
    """A threat that appears at ``onset_s`` and may move along a path.

    Within ``hazard_radius_m`` of its position is the hazard area: nobody walks into it, people
    inside walk straight out, routes go round it and exits inside it are lost. People within
    ``perception_radius_m`` react at once (their pre-movement ends).

    Attributes:
        onset_s: When the threat appears (s).
        path: Positions (m); one point for a static threat.
        speed_m_s: Speed along the path (m/s); 0 for a static threat.
        hazard_radius_m: Radius of the hazard area (m).
        perception_radius_m: Radius within which people notice it (m).
        name: Label for results.
    """

    onset_s: float
    path: tuple[tuple[float, float], ...]
    hazard_radius_m: float
    perception_radius_m: float
    speed_m_s: float = 0.0
    name: str = "threat"

    def __post_init__(self) -> None:
        if not self.path:
            raise ValueError(f"threat {self.name!r}: path needs at least one point")
        if not 0 < self.hazard_radius_m <= self.perception_radius_m < math.inf:  # NaN fails
            raise ValueError(
                f"threat {self.name!r}: need 0 < hazard_radius_m ≤ perception_radius_m (finite), "
                f"got {self.hazard_radius_m} and {self.perception_radius_m}"
            )
        if not (0 <= self.speed_m_s < math.inf and 0 <= self.onset_s < math.inf):
            raise ValueError(f"threat {self.name!r}: onset_s and speed_m_s must be finite and ≥ 0")
        if not all(math.isfinite(c) for point in self.path for c in point):
            raise ValueError(f"threat {self.name!r}: path points must be finite")

    def active(self, t: float) -> bool:
        """True once the threat has appeared."""
        return t >= self.onset_s

    def position(self, t: float) -> tuple[float, float]:
        """Where the threat is at time ``t`` (its first point before onset)."""
        pts = np.asarray(self.path, float)
        if len(pts) == 1 or self.speed_m_s == 0 or t <= self.onset_s:
            return (float(pts[0, 0]), float(pts[0, 1]))
        seg = np.hypot(*np.diff(pts, axis=0).T)
        along = np.concatenate([[0.0], np.cumsum(seg)])
        s = min(self.speed_m_s * (t - self.onset_s), along[-1])
        k = min(int(np.searchsorted(along, s, side="right")) - 1, len(seg) - 1)
        f = (s - along[k]) / seg[k] if seg[k] > 0 else 0.0
        x, y = pts[k] + f * (pts[k + 1] - pts[k])
        return (float(x), float(y))
