"""What happens on the timeline: exits closing and opening, shelters locking, threats moving.

:class:`Timeline` decides which exits are open (an exit is open unless an event closed it or a
hazard area covers it) and writes that into the engine's portal states, the one place it is
kept; people heading for an exit that closes choose again, and everybody does when one opens.
A threat's hazard area is a no-go disc for the kernel; routes are recomputed around it when it
appears and whenever it has moved :data:`HAZARD_REROUTE_SHARE` of its radius, and people within
its perception radius start moving at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from crowdsim.dynamics.crowd import CrowdState
from crowdsim.model.engine import Engine
from crowdsim.model.events import ExitEvent, ShelterLock, Threat
from crowdsim.model.ingress import Ingress
from crowdsim.model.routing import Router
from crowdsim.model.shelters import Shelters
from crowdsim.navigation.navigator import Navigation
from crowdsim.venue import Venue

#: A moving hazard's routes are recomputed once it has moved this share of its radius; until
#: then routes avoid its area at the last recomputation (0.3 m wider), and the kernel keeps
#: everybody out of where it is now.
HAZARD_REROUTE_SHARE = 0.75
#: Routes keep this far (m) outside a hazard area.
HAZARD_MARGIN_M = 0.3


class Timeline:
    """Events and threats of one run, applied as their times come.

    Args:
        events: Exit closures/openings and shelter locks.
        threats: Threats (hazard areas that appear and may move).
        venue: The venue layout.
        engine: The kernel set-up (exit open flags, hazards, direction fields).
        router: Re-routes people when exits or fields change.
        shelters: Locks shelters.
        ingress: Tells whose targets the ingress route sets (they are not re-routed).
        state: The crowd.
        resolution_m: Grid spacing of the navigation fields (m).
        nav_kinds: Kinds of target the fields are computed for.

    Raises:
        SetupError: If an event names no exit or shelter of the layout (at the start, not when
            it fires).
    """

    def __init__(
        self,
        *,
        events: Sequence[ExitEvent | ShelterLock],
        threats: Sequence[Threat],
        venue: Venue,
        engine: Engine,
        router: Router,
        shelters: Shelters,
        ingress: Ingress,
        state: CrowdState,
        resolution_m: float,
        nav_kinds: tuple[str, ...],
    ) -> None:
        self.venue = venue
        self.engine = engine
        self.router = router
        self.shelters = shelters
        self.ingress = ingress
        self.state = state
        self.resolution_m = resolution_m
        self.nav_kinds = nav_kinds
        self.events = sorted(events, key=lambda e: e.at_s)
        for event in self.events:
            self._target_of(event)
        self.threats = tuple(threats)
        self.closed_by_event = np.zeros(engine.n_exits, np.bool_)
        self.lost_to_hazard = np.zeros(engine.n_exits, np.bool_)
        #: (k, 3) hazard circles now: x, y, radius (m).
        self.hazards = np.zeros((0, 3))
        self._routed_at: np.ndarray | None = None

    def apply(self, t: float) -> None:
        """Everything due by time ``t`` (s): events, then threats."""
        self._apply_events(t)
        self._update_threats(t)

    def _target_of(self, event: ExitEvent | ShelterLock) -> int:
        if isinstance(event, ExitEvent):
            return self.engine.exit_number(event.exit, role=f"event at {event.at_s:g} s")
        return self.shelters.number(event.shelter)

    def _apply_events(self, t: float) -> None:
        while self.events and self.events[0].at_s <= t + 1e-9:
            event = self.events.pop(0)
            k = self._target_of(event)
            if isinstance(event, ExitEvent):
                self.closed_by_event[k] = not event.open
                self._sync_exits()
            else:
                self.shelters.lock(k)

    def _sync_exits(self, *, everybody: bool = False) -> None:
        """Open exactly the exits no event closed and no hazard covers, then re-route once.

        When an exit opens (or ``everybody``), everybody chooses again; when exits only close,
        only those heading for them.
        """
        want = ~self.closed_by_event & ~self.lost_to_hazard
        is_open = self.engine.exit_open
        closing = np.flatnonzero(is_open & ~want)
        everybody |= bool(np.any(want & ~is_open))
        if not (len(closing) or everybody):
            return
        is_open[:] = want
        s = self.state
        who = s.active & ~self.ingress.on_route()
        if not everybody:
            who &= np.isin(s.target, closing)
        self.router.assign(s.target, np.flatnonzero(who), s.pos, s.active)

    def _update_threats(self, t: float) -> None:
        live = [th for th in self.threats if th.active(t)]
        if not live:
            return
        s = self.state
        centres = np.array([th.position(t) for th in live])
        self.hazards = np.column_stack([centres, [th.hazard_radius_m for th in live]])
        self.engine.set_hazards(self.hazards)
        for th, (cx, cy) in zip(live, centres, strict=True):
            near = s.active & (
                np.hypot(s.pos[:, 0] - cx, s.pos[:, 1] - cy) <= th.perception_radius_m
            )
            s.t_start[near] = np.minimum(s.t_start[near], t)
        moved = (
            self._routed_at is None
            or len(self._routed_at) != len(centres)
            or np.any(
                np.hypot(*(centres - self._routed_at).T) > HAZARD_REROUTE_SHARE * self.hazards[:, 2]
            )
        )
        if moved:
            self._reroute_around(centres)

    def _reroute_around(self, centres: np.ndarray) -> None:
        """New fields that avoid the hazard areas; exits inside them are lost."""
        self._routed_at = centres.copy()
        disks = shapely.union_all(
            [shapely.Point(x, y).buffer(r + HAZARD_MARGIN_M) for x, y, r in self.hazards]
        )
        nav = Navigation.build(
            self.venue, resolution_m=self.resolution_m, kinds=self.nav_kinds, blocked=disks
        )
        self.router.nav = nav
        self.engine.set_navigation(nav)
        self.lost_to_hazard[:] = [e.line.intersects(disks) for e in self.venue.exits]
        self._sync_exits(everybody=True)  # the fields changed: everybody chooses on them
