"""Where people go: target choice for evacuation and shelter, re-evaluated every few seconds.

Choices (per group, or assigned per zone):

* ``nearest``: the open exit with the shortest walking distance;
* ``assigned``: a named exit, shelter or region (falling back to ``nearest`` if it closes);
* ``quickest``: the exit with the least estimated time, walking distance / v0 plus the people
  ahead in its queue divided by its flow capacity, re-evaluated every ``reconsider_s`` with
  hysteresis so that people do not oscillate;
* ``familiar``: the exit the person knows (the way they came in) while it is open;
* ``logit``: the exit of largest random utility in a multinomial logit on walking distance,
  the people gathered at and walking towards each exit, its visibility and familiarity, with
  coefficients estimated on observed evacuations (:mod:`crowdsim.model.exit_choice`),
  re-evaluated every ``reconsider_s``.

People who hide head for the shelter with the shortest walking distance that still has room
and re-route when it fills; with no shelter left they evacuate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from crowdsim.errors import SetupError
from crowdsim.model.exit_choice import ExitLogit, segment_distance, utilities
from crowdsim.model.population import Population, PopulationSpec
from crowdsim.navigation.field import UNREACHABLE_M
from crowdsim.navigation.navigator import Navigation
from crowdsim.venue import Venue

NEAREST, ASSIGNED, QUICKEST, FAMILIAR, LOGIT = range(5)
CHOICE_CODES = {
    "nearest": NEAREST,
    "assigned": ASSIGNED,
    "quickest": QUICKEST,
    "familiar": FAMILIAR,
    "logit": LOGIT,
}
#: Specific flow (persons/(m·s)) used to estimate how fast an exit's queue drains; the
#: lower end of the measured bottleneck flows (Seyfried 2009, Liao 2014) for a conservative
#: estimate.
QUEUE_FLOW_PMS = 1.3


@dataclass(frozen=True)
class ChoiceSettings:
    """How often and how reluctantly people change their mind.

    Attributes:
        reconsider_s: Interval between re-evaluations of ``quickest`` and ``logit`` choices (s).
        switch_gain: A new exit must be quicker by this share of the current estimate...
        switch_margin_s: ...and by at least this many seconds (hysteresis of ``quickest``).
        logit: Coefficients of the ``logit`` exit choice.
    """

    reconsider_s: float = 2.0
    switch_gain: float = 0.15
    switch_margin_s: float = 3.0
    logit: ExitLogit = field(default_factory=ExitLogit)


class Router:
    """Keeps every person's target up to date; owns the choice columns.

    Args:
        venue: The venue layout (exit widths and flow limits for queue estimates).
        nav: Navigation fields (exits first, then shelters and other targets).
        choice: (n,) choice code per person.
        assigned: (n,) assigned target number (−1: none).
        familiar: (n,) familiar exit number (−1: none).
        hide: (n,) True for people who head for shelters (read, not owned).
        v0: (n,) desired speeds (m/s), for walking-time estimates (read, not owned).
        settings: Re-evaluation settings.
        exit_open: (n_exits,) which exits are open; the router reads it, its owner (the
            engine, whose portal states the kernel reads) writes it. Default: all open.
        taste: (n, n_exits) Gumbel tastes of the ``logit`` choosers (None: nobody uses it).
    """

    def __init__(
        self,
        *,
        venue: Venue,
        nav: Navigation,
        choice: np.ndarray,
        assigned: np.ndarray,
        familiar: np.ndarray,
        hide: np.ndarray,
        v0: np.ndarray,
        settings: ChoiceSettings,
        exit_open: np.ndarray | None = None,
        taste: np.ndarray | None = None,
    ) -> None:
        self.nav = nav
        self.choice = choice
        self.assigned = assigned
        self.familiar = familiar
        self.hide = hide
        self.v0 = v0
        self.settings = settings
        self.exits = np.arange(nav.n_exits)
        self.shelters = nav.of_kind("shelter")
        self.exit_open = np.ones(nav.n_exits, np.bool_) if exit_open is None else exit_open
        self.shelter_open = np.ones(len(self.shelters), np.bool_)
        self.capacity_p_s = np.array(
            [e.max_flow_p_s or QUEUE_FLOW_PMS * e.width_m for e in venue.exits], float
        )
        # Each exit line's two ends (m), for straight-line distances to the exits.
        self.exit_a = np.array([e.line.coords[0] for e in venue.exits], float).reshape(-1, 2)
        self.exit_b = np.array([e.line.coords[-1] for e in venue.exits], float).reshape(-1, 2)
        self.taste = taste

    @classmethod
    def for_people(
        cls,
        *,
        venue: Venue,
        nav: Navigation,
        spec: PopulationSpec,
        people: Population,
        arriving: np.ndarray,
        v0: np.ndarray,
        settings: ChoiceSettings,
        exit_open: np.ndarray,
        rng: np.random.Generator,
    ) -> Router:
        """A router whose choices come from the people's groups and zone overrides.

        Args:
            venue: The venue layout.
            nav: Navigation fields.
            spec: The population's groups and zone overrides.
            people: Everybody in the run (arrivals included).
            arriving: (n,) True for ingress arrivals: they follow their ingress route and never
                take an exit choice.
            v0: (n,) desired speeds (m/s).
            settings: Re-evaluation settings.
            exit_open: (n_exits,) the exits' open flags (owned by the engine).
            rng: Draws the tastes of the ``logit`` choosers (nothing is drawn without them).

        Raises:
            SetupError: If a group or zone names a target the layout does not have.
        """
        groups = spec.effective_groups
        group = people.group
        n = len(group)
        code = np.array([CHOICE_CODES[g.choice] for g in groups], np.int64)[group]
        code[arriving] = NEAREST
        assigned = np.full(n, -1, np.int64)
        familiar = np.full(n, -1, np.int64)
        for k, g in enumerate(groups):
            mine = group == k
            if g.target is not None:
                assigned[mine] = _target_number(venue, nav, g.target, f"group {g.name!r}")
            if g.familiar is not None:
                familiar[mine] = _target_number(
                    venue, nav, g.familiar, f"group {g.name!r}", exit_only=True
                )
        zone_names = [z.name for z in venue.zones]
        for name, override in spec.zones.items():
            if override.target is None:
                continue
            mine = (people.zone == zone_names.index(name)) & ~arriving
            assigned[mine] = _target_number(venue, nav, override.target, f"zone {name!r}")
            code[mine] = ASSIGNED
        logit = code == LOGIT
        taste = rng.gumbel(size=(n, nav.n_exits)) if logit.any() else None
        return cls(
            venue=venue,
            nav=nav,
            choice=code,
            assigned=assigned,
            familiar=familiar,
            hide=people.hide,
            v0=v0,
            settings=settings,
            exit_open=exit_open,
            taste=taste,
        )

    def initial(self, pos: np.ndarray) -> np.ndarray:
        """Targets at the start (t = 0)."""
        target = np.full(len(pos), -1, np.int64)
        everyone = np.arange(len(pos))
        self.assign(target, everyone, pos)
        return target

    def assign(
        self,
        target: np.ndarray,
        who: np.ndarray,
        pos: np.ndarray,
        active: np.ndarray | None = None,
    ) -> None:
        """Choose afresh for the people ``who`` (indices), in place in ``target``.

        ``active`` marks who is inside (for the crowd a ``logit`` chooser sees; default all).
        """
        if len(who) == 0:
            return
        open_exits = self.exits[self.exit_open]
        p = pos[who]
        target[who] = self.nav.nearest(p, open_exits)
        hiders = self.hide[who]
        if hiders.any() and self.shelter_open.any():
            sel = who[hiders]
            best = self.nav.nearest(pos[sel], self.shelters[self.shelter_open])
            target[sel[best >= 0]] = best[best >= 0]
        fam = self.choice[who] == FAMILIAR
        if fam.any():
            f = self.familiar[who[fam]]
            ok = (f >= 0) & self.exit_open[np.clip(f, 0, None)]
            target[who[fam][ok]] = f[ok]
        asg = (self.choice[who] == ASSIGNED) & (self.assigned[who] >= 0)
        if asg.any():
            a = self.assigned[who[asg]]
            ok = self._available(a)
            target[who[asg][ok]] = a[ok]
        quick = (self.choice[who] == QUICKEST) & ~self.hide[who]
        if quick.any():
            self._greedy_quickest(target, pos, who[quick])
        logit = (self.choice[who] == LOGIT) & ~self.hide[who]
        if logit.any():
            inside = np.ones(len(pos), np.bool_) if active is None else active
            target[who[logit]] = -1  # undecided: nobody sees them walking anywhere yet
            target[who[logit]] = self._logit(target, pos, who[logit], inside)

    def review(
        self, step: int, step_s: float, target: np.ndarray, pos: np.ndarray, active: np.ndarray
    ) -> None:
        """Re-evaluate ``quickest`` and ``logit`` choices of those whose turn it is at ``step``.

        Everybody reconsiders every ``reconsider_s`` seconds, but at a personal phase, so that
        only a small share of the crowd changes its mind at any one step: a whole crowd
        deciding at once on the same queue counts would stampede from exit to exit.
        """
        period = max(1, round(self.settings.reconsider_s / step_s))
        turn = (np.arange(len(target)) % period) == (step % period)
        due = active & turn & ~self.hide
        who = np.flatnonzero(due & (self.choice == QUICKEST))
        if len(who):
            target[who] = self._quickest(target, pos, who, active)
        who = np.flatnonzero(due & (self.choice == LOGIT))
        if len(who):
            target[who] = self._logit(target, pos, who, active)

    def close_shelter(
        self, k: int, target: np.ndarray, pos: np.ndarray, active: np.ndarray
    ) -> None:
        """Shelter number ``k`` (of the shelters) is full or locked: its seekers choose again."""
        self.shelter_open[k] = False
        self.assign(target, np.flatnonzero(active & (target == self.shelters[k])), pos, active)

    def _available(self, targets: np.ndarray) -> np.ndarray:
        ok = targets >= 0
        is_exit = targets < self.nav.n_exits
        ok[is_exit] &= self.exit_open[targets[is_exit]]
        shelter_slot = np.searchsorted(self.shelters, targets)
        is_shelter = np.isin(targets, self.shelters)
        ok[is_shelter] &= self.shelter_open[shelter_slot[is_shelter]]
        return ok

    def _greedy_quickest(self, target: np.ndarray, pos: np.ndarray, who: np.ndarray) -> None:
        """First choice of the quickest exit, nearest people first, each seeing those before."""
        open_exits = self.exits[self.exit_open]
        if len(open_exits) == 0:
            return
        dist = self.nav.distance_matrix(pos[who], open_exits)
        walk = dist / self.v0[who][:, None]
        taken = np.zeros(len(open_exits))
        capacity = self.capacity_p_s[open_exits]
        for row in np.argsort(dist.min(axis=1), kind="stable"):
            best = int(np.argmin(walk[row] + taken / capacity))
            target[who[row]] = open_exits[best]
            taken[best] += 1

    def _quickest(
        self, target: np.ndarray, pos: np.ndarray, who: np.ndarray, active: np.ndarray
    ) -> np.ndarray:
        """Exit with the least walking-plus-queueing time for ``who``, with hysteresis."""
        open_exits = self.exits[self.exit_open]
        if len(open_exits) == 0:
            return target[who]
        dist = self.nav.distance_matrix(pos[who], open_exits)  # (m, e)
        speed = self.v0[who]
        # People ahead: everybody inside heading for the same exit who is nearer to it.
        ahead = np.zeros_like(dist)
        for col, e in enumerate(open_exits):
            going = np.flatnonzero(active & (target == e))
            d_going = np.sort(self.nav.distance(int(e), pos[going])) if len(going) else np.zeros(0)
            ahead[:, col] = np.searchsorted(d_going, dist[:, col])
        cost = dist / speed[:, None] + ahead / self.capacity_p_s[open_exits][None, :]
        best = np.argmin(cost, axis=1)
        choice = open_exits[best]
        current = target[who]
        col_of = np.full(len(self.nav.directions), -1, np.int64)
        col_of[open_exits] = np.arange(len(open_exits))
        cur_col = np.where(current >= 0, col_of[np.clip(current, 0, None)], -1)
        have = cur_col >= 0
        cur_cost = np.full(len(who), np.inf)
        cur_cost[have] = cost[have, cur_col[have]]
        new_cost = cost[np.arange(len(who)), best]
        s = self.settings
        switch = ~have | (new_cost < cur_cost * (1 - s.switch_gain) - s.switch_margin_s)
        return np.where(switch, choice, current)

    def _logit(
        self, target: np.ndarray, pos: np.ndarray, who: np.ndarray, active: np.ndarray
    ) -> np.ndarray:
        """Exit of largest random utility for ``who`` (see :mod:`crowdsim.model.exit_choice`)."""
        open_exits = self.exits[self.exit_open]
        if len(open_exits) == 0 or self.taste is None:
            return target[who]
        logit = self.settings.logit
        a, b = self.exit_a[open_exits], self.exit_b[open_exits]
        inside = np.flatnonzero(active)
        near = segment_distance(pos[inside], a, b) <= logit.congestion_radius_m  # (k, e)
        heading = (target[inside, None] == open_exits[None, :]) & ~near
        straight = segment_distance(pos[who], a, b)  # (m, e)
        walking_to = np.broadcast_to(heading.sum(axis=0), straight.shape).copy()
        # The chooser does not see themselves walking towards their current exit.
        own = (target[who, None] == open_exits[None, :]) & (straight > logit.congestion_radius_m)
        walking_to -= own & active[who, None]
        walk = self.nav.distance_matrix(pos[who], open_exits)
        utility = utilities(
            logit,
            walk_m=walk,
            straight_m=straight,
            gathered=near.sum(axis=0),
            walking_to=walking_to,
            familiar=self.familiar[who, None] == open_exits[None, :],
        )
        utility += self.taste[np.ix_(who, open_exits)]
        utility[walk >= 0.5 * UNREACHABLE_M] = -np.inf
        best = open_exits[np.argmax(utility, axis=1)]
        return np.where(np.isfinite(utility.max(axis=1)), best, target[who])


def _target_number(
    venue: Venue, nav: Navigation, name: str, who: str, *, exit_only: bool = False
) -> int:
    """Navigation target number of the exit (or shelter, or region) called ``name``.

    Raises:
        SetupError: If the layout has no such open target.
    """
    kinds = ("exit",) if exit_only else ("exit", "shelter", "region")
    for kind in kinds:
        try:
            return nav.index(kind, name)
        except KeyError:
            continue
    known = [nm for nm, kd in zip(nav.target_names, nav.target_kinds, strict=True) if kd in kinds]
    raise SetupError(
        venue.source,
        who,
        f"target {name!r} is not an open {'exit' if exit_only else 'exit, shelter or region'} "
        f"of layout {venue.layout!r}; choose one of: {', '.join(known) or 'none'}",
    )
