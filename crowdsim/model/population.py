"""Who starts where: placing people in occupancy zones and drawing their attributes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from crowdsim.errors import SetupError
from crowdsim.model.distributions import Distribution
from crowdsim.model.profiles import PROFILES
from crowdsim.venue.features import Zone
from crowdsim.venue.geometry import Venue

#: Closest spacing (m) of the placement lattice: 0.4 m, the spacing of dense benchmark crowds.
MIN_SPACING_M = 0.4


#: How people pick a target (see :mod:`crowdsim.model.routing`).
CHOICES = ("nearest", "assigned", "quickest", "familiar", "logit")
#: What a zone's people do at the alarm: evacuate, shelter, or a share of each.
POLICIES = ("run", "hide", "mixed")


@dataclass(frozen=True)
class Group:
    """A kind of person in the crowd, with its share of every zone's people.

    Attributes:
        name: Group name (results are broken down by it).
        share: Relative share of the people (normalised over the groups).
        desired_speed: Free walking speed v0 (m/s).
        radius: Body radius (m).
        premovement: Pre-movement time (s); None: the zone's or the population's.
        choice: How the group picks its target, one of :data:`CHOICES`.
        target: Target name for ``assigned`` choice (an exit, shelter or region).
        familiar: Exit the group knows (the way they came in), for ``familiar`` choice (and
            the familiarity term of ``logit`` choice).
    """

    name: str = "adults"
    share: float = 1.0
    desired_speed: Distribution = field(default_factory=lambda: PROFILES["adult"].desired_speed)
    radius: Distribution = field(default_factory=lambda: PROFILES["adult"].radius)
    premovement: Distribution | None = None
    choice: str = "nearest"
    target: str | None = None
    familiar: str | None = None

    def __post_init__(self) -> None:
        if self.choice not in CHOICES:
            raise ValueError(f"group {self.name!r}: choice must be one of {', '.join(CHOICES)}")
        if self.choice == "assigned" and self.target is None:
            raise ValueError(f"group {self.name!r}: assigned choice needs a target")
        if self.choice == "familiar" and self.familiar is None:
            raise ValueError(f"group {self.name!r}: familiar choice needs a familiar exit")
        if not self.share > 0:
            raise ValueError(f"group {self.name!r}: share must be > 0")


#: Most people a count may give (a zone, a total): well above any venue, far below the sizes
#: whose arithmetic overflows; the floor-space check refuses what does not fit long before.
MOST_PEOPLE = 10**9


@dataclass(frozen=True)
class ZoneOverride:
    """Scenario settings that replace a venue zone's defaults.

    Attributes:
        people: Number of people placed (None: the venue's figure).
        premovement: Pre-movement time distribution (s) for this zone (None: population default).
        alarm_s: When the zone is alerted (s); pre-movement counts from then (staged alarms).
        policy: ``run``, ``hide`` or ``mixed`` (None: the population's).
        hide_share: Share of the people who hide under the ``mixed`` policy.
        target: Target every person of the zone is assigned to (None: the group's choice).
    """

    people: int | None = None
    premovement: Distribution | None = None
    alarm_s: float = 0.0
    policy: str | None = None
    hide_share: float = 0.5
    target: str | None = None

    def __post_init__(self) -> None:
        if self.policy is not None and self.policy not in POLICIES:
            raise ValueError(f"policy must be one of {', '.join(POLICIES)}, got {self.policy!r}")
        if not 0.0 <= self.hide_share <= 1.0:
            raise ValueError(f"hide_share must lie in [0, 1], got {self.hide_share}")
        if self.alarm_s < 0:
            raise ValueError(f"alarm_s must be ≥ 0 s, got {self.alarm_s}")
        if self.people is not None and not 0 <= self.people <= MOST_PEOPLE:
            raise ValueError(f"people must lie in [0, {MOST_PEOPLE:.0e}], got {self.people}")


@dataclass(frozen=True)
class PopulationSpec:
    """How people are drawn.

    Attributes:
        desired_speed: Desired (free walking) speed v0 in m/s; default Weidmann (1993). Used
            when no groups are given.
        radius: Body radius in m; default HFV (2000). Used when no groups are given.
        premovement: Time in s from the alarm until a person starts to move; default 0.
        zones: Per-zone overrides by zone name.
        groups: Kinds of person with shares; default one group with the values above.
        policy: What people do at the alarm unless their zone says otherwise.
        scale: Multiplies every zone's people (after the per-zone overrides), e.g. 1.5 for a
            50 % fuller venue; None: as given.
        total: The total occupancy, shared over the zones in proportion to their people (or,
            if every zone is empty, to their areas); None: as given. Not with ``scale``.
        competitiveness: How hard people compete for the way out, 0 (normal egress: the
            calibrated physics) to 1 (pushing, as in the escape panic of Helbing, Farkas &
            Vicsek 2000); see :meth:`SocialForceParams.competitive`. The desired speed is set
            apart (``desired_speed``): a competitive crowd usually also wants to go faster.
    """

    desired_speed: Distribution = field(default_factory=lambda: PROFILES["adult"].desired_speed)
    radius: Distribution = field(default_factory=lambda: PROFILES["adult"].radius)
    premovement: Distribution = field(default_factory=lambda: Distribution.fixed(0.0))
    zones: dict[str, ZoneOverride] = field(default_factory=dict)
    groups: tuple[Group, ...] = ()
    policy: str = "run"
    scale: float | None = None
    total: int | None = None
    competitiveness: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.competitiveness <= 1.0:
            raise ValueError(f"competitiveness must be in [0, 1], got {self.competitiveness!r}")
        if self.policy not in POLICIES:
            raise ValueError(f"policy must be one of {', '.join(POLICIES)}, got {self.policy!r}")
        if self.scale is not None and self.total is not None:
            raise ValueError("give scale or total, not both")
        if self.scale is not None and not (self.scale >= 0 and np.isfinite(self.scale)):
            raise ValueError(f"scale must be a number ≥ 0, got {self.scale!r}")
        if self.total is not None and (
            isinstance(self.total, bool) or not 0 <= self.total <= MOST_PEOPLE
        ):
            raise ValueError(
                f"total must be a whole number in [0, {MOST_PEOPLE:.0e}], got {self.total!r}"
            )

    def people_in(self, zone: Zone) -> int:
        """People placed in ``zone`` by the venue or the zone's override (before scaling)."""
        override = self.zones.get(zone.name)
        return zone.people if override is None or override.people is None else override.people

    def zone_counts(self, zones: Sequence[Zone]) -> list[int]:
        """People placed in each of ``zones``, overrides, ``scale`` and ``total`` applied.

        Scaled counts are rounded by largest remainder (ties to the earlier zone), so they add
        up to the scaled total rounded half up, or to ``total`` exactly.
        """
        given = np.array([self.people_in(z) for z in zones], dtype=float)
        if self.scale is not None:
            total = int(np.floor(float(given.sum()) * self.scale + 0.5))
            return _share(given * self.scale, total)
        if self.total is not None:
            if not len(zones):
                return []
            weights = given if given.sum() > 0 else np.array([z.area.area for z in zones])
            return _share(weights / weights.sum() * self.total, self.total)
        return [int(n) for n in given]

    @property
    def effective_groups(self) -> tuple[Group, ...]:
        """The groups, or one group made of the population's own distributions."""
        if self.groups:
            return self.groups
        return (Group(desired_speed=self.desired_speed, radius=self.radius),)


@dataclass(frozen=True, kw_only=True)
class Population:
    """Initial people: arrays of equal length, one row per person.

    Attributes:
        pos: (n, 2) start positions (m).
        v0: (n,) desired speeds (m/s).
        radius: (n,) radii (m).
        t_start: (n,) pre-movement end times (s), counted from t = 0 (alarm times included).
        zone: (n,) index of the person's start zone in ``venue.zones`` (−1: placed by hand).
        group: (n,) index into the population's groups.
        hide: (n,) True for people who head for a shelter rather than an exit.
    """

    pos: np.ndarray
    v0: np.ndarray
    radius: np.ndarray
    t_start: np.ndarray
    zone: np.ndarray
    group: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    hide: np.ndarray = field(default_factory=lambda: np.zeros(0, np.bool_))

    def __post_init__(self) -> None:
        n = len(self.pos)
        if len(self.group) != n:
            object.__setattr__(self, "group", np.zeros(n, np.int64))
        if len(self.hide) != n:
            object.__setattr__(self, "hide", np.zeros(n, np.bool_))

    def __len__(self) -> int:
        return len(self.pos)

    @classmethod
    def joined(cls, parts: Sequence[Population]) -> Population:
        """The people of ``parts`` one after the other, numbered in that order."""
        return cls(**{f: np.concatenate([getattr(p, f) for p in parts]) for f in _FIELDS})

    @classmethod
    def at(
        cls,
        pos: np.ndarray,
        *,
        v0: float | np.ndarray = 1.34,
        radius: float | np.ndarray = 0.3,
        t_start: float | np.ndarray = 0.0,
    ) -> Population:
        """People placed by hand at ``pos`` (n, 2), with scalar or per-person attributes."""
        pos = np.asarray(pos, dtype=np.float64).reshape(-1, 2)
        n = len(pos)
        return cls(
            pos=pos,
            v0=np.broadcast_to(np.asarray(v0, np.float64), (n,)).copy(),
            radius=np.broadcast_to(np.asarray(radius, np.float64), (n,)).copy(),
            t_start=np.broadcast_to(np.asarray(t_start, np.float64), (n,)).copy(),
            zone=np.full(n, -1, np.int64),
        )


def draw_population(venue: Venue, spec: PopulationSpec, rng: np.random.Generator) -> Population:
    """Place every zone's people and draw their attributes with ``rng``.

    Raises:
        SetupError: If a zone override names an unknown zone, a zone's people do not fit, or a
            drawn speed or radius is out of range.
    """
    unknown = set(spec.zones) - {z.name for z in venue.zones}
    if unknown:
        raise SetupError(
            venue.source,
            "population.zones",
            f"names zone(s) {', '.join(sorted(unknown))} that the venue does not have; zones: "
            f"{', '.join(z.name for z in venue.zones) or 'none'}",
        )
    groups = spec.effective_groups
    shares = np.array([g.share for g in groups], float)
    shares /= shares.sum()
    r_max = max(g.radius.high if np.isfinite(g.radius.high) else 0.35 for g in groups)
    free = venue.walkable.buffer(-min(r_max, 0.35))
    parts: list[Population] = []
    counts = spec.zone_counts(venue.zones)
    for k, zone in enumerate(venue.zones):
        n = counts[k]
        if n <= 0:
            continue
        override = spec.zones.get(zone.name, ZoneOverride())
        pos = place(
            zone.area.intersection(free), n, rng, source=venue.source, feature=f"zone {zone.name!r}"
        )
        group = rng.choice(len(groups), size=n, p=shares).astype(np.int64)
        v0, radius, pre = np.empty(n), np.empty(n), np.empty(n)
        for g, grp in enumerate(groups):
            mine = group == g
            m = int(mine.sum())
            v0[mine] = grp.desired_speed.sample(rng, m)
            radius[mine] = grp.radius.sample(rng, m)
            dist = override.premovement or grp.premovement or spec.premovement
            pre[mine] = dist.sample(rng, m)
        policy = override.policy or spec.policy
        if policy == "mixed":
            hide = rng.random(n) < override.hide_share
        else:
            hide = np.full(n, policy == "hide")
        parts.append(
            Population(
                pos=pos,
                v0=v0,
                radius=radius,
                t_start=override.alarm_s + pre,
                zone=np.full(n, k, np.int64),
                group=group,
                hide=hide,
            )
        )
    if not parts:
        return Population.at(np.zeros((0, 2)))
    population = Population.joined(parts)
    check_bodies(population.v0, population.radius, source=venue.source)
    return population


def draw_bodies(
    groups: Sequence[Group], n: int, rng: np.random.Generator, *, source: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group numbers, desired speeds (m/s) and radii (m) of ``n`` people drawn by group share.

    Raises:
        SetupError: A drawn speed or radius is out of range (see :func:`check_bodies`).
    """
    shares = np.array([g.share for g in groups], float)
    group = rng.choice(len(groups), size=n, p=shares / shares.sum()).astype(np.int64)
    v0, radius = np.empty(n), np.empty(n)
    for k, grp in enumerate(groups):
        mine = group == k
        v0[mine] = grp.desired_speed.sample(rng, int(mine.sum()))
        radius[mine] = grp.radius.sample(rng, int(mine.sum()))
    check_bodies(v0, radius, source=source)
    return group, v0, radius


#: Body radii (m) a person may have: (low, high]. Below 5 cm the contact forces and wall cells
#: see no body; above 1 m it is no person (HFV 2000 use 0.25–0.35 m).
RADIUS_RANGE_M = (0.05, 1.0)


def body_problem(key: str, dist: Distribution) -> str | None:
    """Why the draws of ``dist`` for ``desired_speed`` or ``radius`` can fall out of range.

    Checked from the distribution's support when a scenario is read, so a bad range is named
    with its file and key at once, not found at model build by the draws that hit it.
    """
    least, most = dist.support
    above_zero = least > 0 or (least == 0 and dist.kind in ("lognormal", "gamma", "weibull"))
    if key == "desired_speed" and not above_zero:
        return (
            f"desired speeds must be > 0 m/s, but this distribution reaches {least:g}; set min > 0"
        )
    low, high = RADIUS_RANGE_M
    if key == "radius" and not (least > low and most <= high):
        return (
            f"radii must lie in ({low}, {high}] m, but this distribution spans "
            f"[{least:g}, {most:g}] m; bound it with min and max"
        )
    return None


def check_bodies(v0: np.ndarray, radius: np.ndarray, *, source: str) -> None:
    """Refuse desired speeds ≤ 0 m/s and radii outside :data:`RADIUS_RANGE_M`.

    Raises:
        SetupError: Naming ``source`` (the scenario or venue the people come from).
    """
    if (v0 <= 0).any():
        raise SetupError(
            source, "population", "desired speeds must be > 0 m/s; set min > 0 on desired_speed"
        )
    low, high = RADIUS_RANGE_M
    if (radius <= low).any() or (radius > high).any():
        raise SetupError(
            source,
            "population",
            f"radii must lie in ({low}, {high}] m; bound the radius distribution",
        )


_FIELDS = ("pos", "v0", "radius", "t_start", "zone", "group", "hide")


def _share(exact: np.ndarray, total: int) -> list[int]:
    """Whole numbers near ``exact`` that add up to ``total`` (largest remainder)."""
    floor = np.floor(exact + 1e-9).astype(np.int64)
    rest = int(total - floor.sum())
    if rest > 0:
        order = np.argsort(-(exact - floor), kind="stable")
        floor[order[:rest]] += 1
    elif rest < 0:
        order = np.argsort(exact - floor, kind="stable")
        floor[order[:-rest]] -= 1
    return [int(n) for n in floor]


def place(
    region: BaseGeometry, n: int, rng: np.random.Generator, *, source: str, feature: str
) -> np.ndarray:
    """``n`` points spread over ``region`` on a jittered hexagonal lattice.

    The lattice spacing starts at the one that fits ``n`` people in the region's area and
    shrinks until there are enough sites (never below :data:`MIN_SPACING_M`); ``n`` sites are then
    chosen at random.

    Raises:
        SetupError: If the region cannot hold ``n`` people at the closest spacing.
    """
    area = region.area
    if area <= 0:
        raise SetupError(
            source, feature, "no room to place people (the zone lies against walls or obstacles)"
        )
    spacing = max(np.sqrt(2.0 * area / (np.sqrt(3.0) * n)), MIN_SPACING_M)
    shapely.prepare(region)
    while True:
        sites = _hex_sites(region, spacing, rng)
        if len(sites) >= n:
            break
        if spacing <= MIN_SPACING_M:
            raise SetupError(
                source,
                feature,
                f"{n} people do not fit (room for {len(sites)} at {MIN_SPACING_M} m spacing); "
                "lower the number of people or enlarge the zone",
            )
        spacing = max(spacing * 0.95, MIN_SPACING_M)
    chosen = sites[rng.choice(len(sites), size=n, replace=False)]
    jitter = rng.uniform(-0.05, 0.05, size=chosen.shape) * spacing
    moved = chosen + jitter
    ok = shapely.contains_xy(region, moved[:, 0], moved[:, 1])
    chosen[ok] = moved[ok]
    return chosen


def _hex_sites(region: BaseGeometry, spacing: float, rng: np.random.Generator) -> np.ndarray:
    xmin, ymin, xmax, ymax = region.bounds
    dy = spacing * np.sqrt(3.0) / 2.0
    ox, oy = rng.uniform(0, spacing), rng.uniform(0, dy)
    rows = np.arange(ymin + oy - dy, ymax + dy, dy)
    cols = np.arange(xmin + ox - spacing, xmax + spacing, spacing)
    xs, ys = np.meshgrid(cols, rows)
    xs = xs + (np.arange(len(rows))[:, None] % 2) * spacing / 2
    pts = np.column_stack([xs.ravel(), ys.ravel()])
    return pts[shapely.contains_xy(region, pts[:, 0], pts[:, 1])]
