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

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from crowdsim.dynamics.crowd import CrowdState
from crowdsim.errors import SetupError
from crowdsim.model.distributions import Distribution
from crowdsim.model.population import MOST_PEOPLE, Group, Population, draw_bodies
from crowdsim.model.routing import Router
from crowdsim.model.status import ABSENT, ENTERED, INSIDE, Status
from crowdsim.venue import Venue

#: Ingress stages: heading for a lane, for secondary search, for the destination.
TO_GATE, TO_SECONDARY, TO_DESTINATION = range(3)


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
        if not 0 <= self.total <= MOST_PEOPLE or not -np.inf < self.start_s <= self.end_s < np.inf:
            raise ValueError(
                f"arrivals at {self.entry!r}: need total in [0, {MOST_PEOPLE:.0e}] and "
                "start_s ≤ end_s (finite)"
            )
        if self.profile:
            t = np.array([p[0] for p in self.profile] + [self.end_s], float)
            rate = np.array([p[1] for p in self.profile], float)
            if np.any(np.diff(t) < 0) or np.any(rate < 0) or not np.sum(rate * np.diff(t)) > 0:
                raise ValueError(
                    f"arrivals at {self.entry!r}: profile times must rise up to end_s and "
                    "rates be ≥ 0, with some arrivals before end_s"
                )

    def times(self, rng: np.random.Generator) -> np.ndarray:
        """Sorted arrival times (s)."""
        u = np.sort(rng.random(self.total))
        if not self.profile:
            return self.start_s + u * (self.end_s - self.start_s)
        t = np.array([p[0] for p in self.profile] + [self.end_s], float)
        rate = np.array([p[1] for p in self.profile], float)
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


def draw_arrivals(
    spec: IngressSpec | None, venue: Venue, groups: Sequence[Group], rng: np.random.Generator
) -> tuple[Population, np.ndarray, np.ndarray]:
    """The people who arrive during the run, in arrival order.

    Returns:
        Their bodies and groups (placed nowhere yet: zone −1, position 0), their arrival times
        (s) and the number of the region each enters by.
    """
    times, entries = [], []
    for a in spec.arrivals if spec is not None else ():
        region = venue.region_number(a.entry, "ingress entry")
        times.append(a.times(rng))
        entries.append(np.full(a.total, region))
    t = np.concatenate(times) if times else np.zeros(0)
    order = np.argsort(t, kind="stable")
    entry = np.concatenate(entries)[order] if entries else np.zeros(0, np.int64)
    group, v0, radius = draw_bodies(groups, len(t), rng, source=venue.source)
    m = len(t)
    people = Population(
        pos=np.zeros((m, 2)),
        v0=v0,
        radius=radius,
        t_start=np.zeros(m),
        zone=np.full(m, -1, np.int64),
        group=group,
        hide=np.zeros(m, np.bool_),
    )
    return people, t[order], entry.astype(np.int64)


class Ingress:
    """Arrivals, lane choice, screening holds, secondary search and entry; owns their columns.

    With no ingress spec every method does nothing, so the model steps it unconditionally.

    Args:
        spec: The ingress scenario (None: no ingress).
        venue: The venue layout.
        router: Holds the current navigation fields (gates and regions among the targets).
        state: The crowd; arrivals are rows ``n_initial`` onwards.
        status: Everybody's status.
        arrival_time_s: (m,) arrival times of the arrivals (s).
        entry: (m,) entry region number of each arrival.
        rng: The run's random generator (service times, secondary search, spawn spots).

    Attributes:
        stage: (n,) :data:`TO_GATE`, :data:`TO_SECONDARY` or :data:`TO_DESTINATION`.
        arrival_time_s: (n,) when each person appeared (0 for people inside at the start).
        waits_s: (n,) waiting time before screening (s; NaN for people not screened).
        gate_of: (n,) lane number each arrival chose (−1: none).
        secondary_search: (n,) True for people selected for secondary search.
    """

    def __init__(
        self,
        spec: IngressSpec | None,
        *,
        venue: Venue,
        router: Router,
        state: CrowdState,
        status: Status,
        arrival_time_s: np.ndarray,
        entry: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        n, m = len(state), len(arrival_time_s)
        self.spec = spec
        self.venue = venue
        self.router = router
        self.state = state
        self.status = status
        self.rng = rng
        self.n_initial = n - m
        self.arrival_time_s = np.concatenate([np.zeros(n - m), arrival_time_s])
        self.entry = np.concatenate([np.full(n - m, -1), entry]).astype(np.int64)
        self.stage = np.full(n, TO_DESTINATION, np.int8)
        self.waits_s = np.full(n, np.nan)
        self.gate_of = np.full(n, -1, np.int64)
        self.secondary_search = np.zeros(n, np.bool_)
        self.secondary_s = np.zeros(n)
        if spec is None:
            return
        venue.region_number(spec.destination, "ingress destination")
        if spec.secondary_region is not None:
            venue.region_number(spec.secondary_region, "secondary-search region")
        if not venue.gates:
            raise SetupError(
                venue.source, "ingress", "needs screening gates ([[gates]]) in the venue"
            )
        arriving = self.entry >= 0
        lane_types = [g.lane_type for g in venue.gates]
        # Service time is drawn per person per lane type; the lane is chosen on arrival.
        try:
            self.service_by_type = {
                lt: spec.service_for(lt).sample(rng, m) for lt in sorted(set(lane_types))
            }
        except ValueError as err:
            raise SetupError(venue.source, "[ingress.service]", str(err)) from None
        self.secondary_search[arriving] = rng.random(m) < spec.secondary_share
        self.secondary_s[arriving] = spec.secondary_s.sample(rng, m)
        self.stage[arriving] = TO_GATE
        navigation = router.nav
        self.destination = navigation.index("region", spec.destination)
        self.secondary_target = (
            navigation.index("region", spec.secondary_region) if spec.secondary_region else -1
        )
        self.gate_targets = navigation.of_kind("gate")
        self.regions = [r.area for r in venue.regions]
        for area in self.regions:
            shapely.prepare(area)
        self.region_of_target = {navigation.index("region", r.name): r.area for r in venue.regions}

    def on_route(self) -> np.ndarray:
        """(n,) True for people whose target the ingress route sets (not an exit choice)."""
        return (self.stage != TO_DESTINATION) | (self.entry >= 0)

    def spawn(self, t: float) -> None:
        """People due by ``t`` appear in their entry region where there is room, and pick a lane."""
        if self.spec is None:
            return
        due = np.flatnonzero((self.status.code == ABSENT) & (self.arrival_time_s <= t + 1e-9))
        if len(due) == 0:
            return
        s = self.state
        for entry in np.unique(self.entry[due]):
            who = due[self.entry[due] == entry]
            here = s.pos[s.active]
            spots = spawn_positions(self.regions[entry], s.radius[who], here, self.rng)
            ok = np.isfinite(spots[:, 0])
            who, spots = who[ok], spots[ok]
            if len(who) == 0:
                continue
            s.pos[who] = spots
            s.vel[who] = 0.0
            s.t_start[who] = t
            self.status.arrive(who)
            s.active[who] = True
            self.arrival_time_s[who] = t
            self._choose_lanes(who)

    def queue(self, checkpoint: str) -> int:
        """People inside waiting for a lane of ``checkpoint``."""
        lanes = [k for k, g in enumerate(self.venue.gates) if g.checkpoint == checkpoint]
        waiting = (self.stage == TO_GATE) & (self.status.code == INSIDE)
        return int(np.count_nonzero(waiting & np.isin(self.gate_of, lanes)))

    def _choose_lanes(self, who: np.ndarray) -> None:
        """Each newcomer takes the lane with the shortest queue, ties broken by distance."""
        s = self.state
        queue = np.bincount(
            self.gate_of[
                (self.stage == TO_GATE) & (self.status.code == INSIDE) & (self.gate_of >= 0)
            ],
            minlength=len(self.venue.gates),
        ).astype(float)
        dist = self.router.nav.distance_matrix(s.pos[who], self.gate_targets)
        for row, i in enumerate(who):
            lane = int(np.lexsort((dist[row], queue))[0])
            queue[lane] += 1
            self.gate_of[i] = lane
            s.target[i] = self.gate_targets[lane]
            lane_type = self.venue.gates[lane].lane_type
            s.service_time[i] = self.service_by_type[lane_type][i - self.n_initial]
            walk = dist[row, lane] / s.v0[i]
            self.waits_s[i] = -walk - self.arrival_time_s[i]  # completed at service start

    def progress(self, t: float) -> None:
        """Screened people move on to secondary search or the destination; arrivals enter."""
        if self.spec is None:
            return
        s = self.state
        n_exits = len(self.venue.exits)
        through = np.flatnonzero((self.stage == TO_GATE) & (s.passed >= n_exits))
        if len(through):
            service_start = s.t_start[through] - s.service_time[through]
            self.waits_s[through] = np.maximum(self.waits_s[through] + service_start, 0.0)
            second = self.secondary_search[through]
            self.stage[through[second]] = TO_SECONDARY
            s.target[through[second]] = self.secondary_target
            self.stage[through[~second]] = TO_DESTINATION
            s.target[through[~second]] = self.destination
        # Destination first, so that nobody finishes secondary search and enters in one step.
        stages = ((TO_DESTINATION, self.destination), (TO_SECONDARY, self.secondary_target))
        for stage, target in stages:
            if target < 0:
                continue
            who = np.flatnonzero(
                s.active & (self.stage == stage) & (s.target == target) & (s.t_start <= t)
            )
            if len(who) == 0:
                continue
            arrived = who[shapely.contains_xy(self.region_of_target[target], *s.pos[who].T)]
            if stage == TO_SECONDARY:
                s.t_start[arrived] = t + self.secondary_s[arrived]
                self.stage[arrived] = TO_DESTINATION
                s.target[arrived] = self.destination
            else:
                self.status.mark(arrived, ENTERED, t)
                s.active[arrived] = False

    def waits(self) -> np.ndarray:
        """Waiting time of each screened person (s)."""
        return self.waits_s[np.isfinite(self.waits_s)] if self.spec else np.zeros(0)
