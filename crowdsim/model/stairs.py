"""Stair traffic in a multi-level venue: people carried across the seams of stairs.

The kernel treats an open seam side (:mod:`crowdsim.venue.levels`) as an exit: whoever crosses
it leaves the floor (and, at a stair's entry, no sooner than its flow limit allows). Between
kernel calls :class:`StairTraffic` sets them down at the side's partner line, as far beyond it
as they had walked beyond the side, keeping their place across the width, their heading and
their speed, and makes them active again: they walk on down the flight, or out onto the level.

A person is set down clear of the partner line's jambs and of everybody already there; if the
landing is too full to take them, they are put back just before the line they crossed, at a
stand, and cross again when there is room (a queue at the top of a full stair, as on a real
one). Each crossing costs at most the rest of one model step (0.1 s), small against the
seconds a flight takes.
"""

from __future__ import annotations

import numpy as np

from crowdsim.dynamics.crowd import CrowdState
from crowdsim.venue import Venue
from crowdsim.venue.levels import SeamSide

#: Space (m) kept between a person set down and the line they came in at, beyond their radius.
CLEARANCE_M = 0.01
#: How much closer than touching (m) two bodies may be set down (their forces part them).
OVERLAP_TOLERANCE_M = 0.02
#: How deep past the partner line (m) a free spot is searched for.
SEARCH_DEPTH_M = 1.2


class StairTraffic:
    """Carries people across the seams of a venue's stairs and counts who took which stair.

    Args:
        venue: The venue layout (its open seam sides).
        state: The crowd.
        first_portal: Portal number of the first seam side (the engine numbers them last).

    Attributes:
        entries_s: Stair name → times (s) at which people stepped onto it, in order.
    """

    def __init__(self, *, venue: Venue, state: CrowdState, first_portal: int) -> None:
        self.sides = venue.seams
        self.state = state
        self.first = first_portal
        self.entries_s: dict[str, list[float]] = {st.name: [] for st in venue.stairs}

    @property
    def per_stair(self) -> dict[str, int]:
        """Stair name → people who stepped onto it (each entry counts)."""
        return {name: len(times) for name, times in self.entries_s.items()}

    def carry(self) -> None:
        """Set down everybody whom the last kernel call let through a seam side."""
        if not self.sides:
            return
        s = self.state
        crossed = np.flatnonzero(s.exit_id >= self.first)
        for i in crossed:
            side = self.sides[int(s.exit_id[i]) - self.first]
            t_cross = float(s.exit_time[i])
            pos, vel = side.carry(s.pos[i : i + 1], s.vel[i : i + 1])
            spot = self._free_spot(int(i), side, pos[0])
            s.exit_id[i] = -1
            s.exit_time[i] = np.nan
            s.active[i] = True
            if spot is None:  # the landing is full: back before the line, at a stand
                s.pos[i] = side.back(s.pos[i : i + 1], s.radius[i] + CLEARANCE_M)[0]
                s.vel[i] = 0.0
                continue
            s.pos[i] = spot
            s.vel[i] = vel[0]
            if side.entering:
                self.entries_s[side.stair].append(t_cross)

    def _free_spot(self, i: int, side: SeamSide, want: np.ndarray) -> np.ndarray | None:
        """A place near ``want`` past the partner line where person ``i`` touches nobody."""
        s = self.state
        r = float(s.radius[i])
        q = np.asarray(side.partner_outward)
        t = np.array([-q[1], q[0]])
        centre = side.partner_centre
        half = 0.5 * side.partner.length - r - CLEARANCE_M
        rel = want - centre
        u0 = float(np.clip(rel @ t, -max(half, 0.0), max(half, 0.0)))
        d0 = max(float(-(rel @ q)), r + CLEARANCE_M)
        others = np.flatnonzero(s.active)
        others = others[others != i]
        near = others[np.hypot(*(s.pos[others] - centre).T) < side.partner.length + 3.0]
        step = max(r, 0.1)
        for depth in np.arange(d0, d0 + SEARCH_DEPTH_M, step):
            for du in _offsets(half, step):
                u = float(np.clip(u0 + du, -max(half, 0.0), max(half, 0.0)))
                spot = centre + u * t - depth * q
                gap = np.hypot(*(s.pos[near] - spot).T) - (s.radius[near] + r)
                if not len(gap) or gap.min() >= -OVERLAP_TOLERANCE_M:
                    return spot
        return None


def _offsets(half_m: float, step_m: float) -> list[float]:
    """0, then ±step, ±2·step... across the width (nearest first)."""
    out = [0.0]
    k = 1
    while k * step_m <= 2 * max(half_m, 0.0) + 1e-9:
        out += [k * step_m, -k * step_m]
        k += 1
    return out
