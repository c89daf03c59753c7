"""Invacuation: admission to protected rooms, never over capacity, and their locks.

A person heading for a shelter is admitted once their centre is inside it and the shelter has
room and is not locked; admitted people count as safe and leave the crowd. A shelter that
fills, or is locked by an event, is closed to newcomers: the router sends its seekers on to
another shelter with room, or out.
"""

from __future__ import annotations

import numpy as np
import shapely

from crowdsim.dynamics.crowd import CrowdState
from crowdsim.errors import SetupError
from crowdsim.model.routing import Router
from crowdsim.model.status import SHELTERED, Status
from crowdsim.venue import Venue


class Shelters:
    """The venue's shelters during a run.

    Args:
        venue: The venue layout.
        state: The crowd.
        status: Everybody's status.
        router: Keeps the seekers' targets (and which shelters are open).

    Attributes:
        occupancy: (n_shelters,) people admitted so far.
    """

    def __init__(self, *, venue: Venue, state: CrowdState, status: Status, router: Router) -> None:
        self.venue = venue
        self.state = state
        self.status = status
        self.router = router
        self.occupancy = np.zeros(len(venue.shelters), np.int64)
        for shelter in venue.shelters:
            shapely.prepare(shelter.area)

    def number(self, name: str) -> int:
        """Position of the shelter called ``name``.

        Raises:
            SetupError: If the venue has no such shelter.
        """
        names = [sh.name for sh in self.venue.shelters]
        if name not in names:
            raise SetupError(
                self.venue.source,
                "shelters",
                f"no shelter named {name!r}; shelters: {', '.join(names) or 'none'}",
            )
        return names.index(name)

    def lock(self, k: int) -> None:
        """Shelter ``k`` admits nobody more; its seekers choose again."""
        s = self.state
        self.router.close_shelter(k, s.target, s.pos, s.active)

    def admit(self, t: float) -> None:
        """Seekers inside a shelter with room are admitted, in index order; never over capacity."""
        s = self.state
        for k, shelter in enumerate(self.venue.shelters):
            if not self.router.shelter_open[k]:  # full or locked
                continue
            seeking = np.flatnonzero(s.active & (s.target == self.router.shelters[k]))
            if len(seeking) == 0:
                continue
            inside = seeking[shapely.contains_xy(shelter.area, *s.pos[seeking].T)]
            admitted = inside[: shelter.capacity - self.occupancy[k]]
            self.status.mark(admitted, SHELTERED, t)
            s.active[admitted] = False
            self.occupancy[k] += len(admitted)
            if self.occupancy[k] >= shelter.capacity:
                self.lock(k)
