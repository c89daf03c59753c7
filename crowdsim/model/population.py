"""Who starts where: placing people in occupancy zones and drawing their attributes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from crowdsim.model.distributions import Distribution
from crowdsim.venue.geometry import Venue, Zone

#: Closest spacing (m) of the placement lattice: 0.4 m, the spacing of dense benchmark crowds.
MIN_SPACING_M = 0.4


def _weidmann_speed() -> Distribution:
    # Weidmann (1993): free walking speed 1.34 ± 0.26 m/s, truncated at ±2 standard deviations.
    return Distribution("normal", {"mean": 1.34, "sd": 0.26}, low=0.82, high=1.86)


def _hfv_radius() -> Distribution:
    # Helbing, Farkas & Vicsek (2000): body radii uniform in [0.25, 0.35] m.
    return Distribution("uniform", {"low": 0.25, "high": 0.35})


@dataclass(frozen=True)
class ZoneOverride:
    """Scenario settings that replace a venue zone's defaults.

    Attributes:
        people: Number of people placed (None: the venue's figure).
        premovement: Pre-movement time distribution (s) for this zone (None: population default).
    """

    people: int | None = None
    premovement: Distribution | None = None


@dataclass(frozen=True)
class PopulationSpec:
    """How people are drawn.

    Attributes:
        desired_speed: Desired (free walking) speed v0 in m/s; default Weidmann (1993).
        radius: Body radius in m; default HFV (2000).
        premovement: Time in s from the alarm until a person starts to move; default 0.
        zones: Per-zone overrides by zone name.
    """

    desired_speed: Distribution = field(default_factory=_weidmann_speed)
    radius: Distribution = field(default_factory=_hfv_radius)
    premovement: Distribution = field(default_factory=lambda: Distribution.fixed(0.0))
    zones: dict[str, ZoneOverride] = field(default_factory=dict)

    def people_in(self, zone: Zone) -> int:
        """People placed in ``zone``."""
        override = self.zones.get(zone.name)
        return zone.people if override is None or override.people is None else override.people


@dataclass(frozen=True)
class Population:
    """Initial people: arrays of equal length, one row per person.

    Attributes:
        pos: (n, 2) start positions (m).
        v0: (n,) desired speeds (m/s).
        radius: (n,) radii (m).
        t_start: (n,) pre-movement end times (s).
        zone: (n,) index of the person's start zone in ``venue.zones`` (−1: placed by hand).
    """

    pos: np.ndarray
    v0: np.ndarray
    radius: np.ndarray
    t_start: np.ndarray
    zone: np.ndarray

    def __len__(self) -> int:
        return len(self.pos)

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
        ValueError: If a zone override names an unknown zone, or a zone's people do not fit.
    """
    unknown = set(spec.zones) - {z.name for z in venue.zones}
    if unknown:
        raise ValueError(
            f"{venue.source}: population names zone(s) {', '.join(sorted(unknown))} that the venue "
            f"does not have; zones: {', '.join(z.name for z in venue.zones) or 'none'}"
        )
    radius_hi = spec.radius.high if np.isfinite(spec.radius.high) else 0.35
    free = venue.walkable.buffer(-min(radius_hi, 0.35))
    pos, v0, radius, t_start, zone_idx = [], [], [], [], []
    for k, zone in enumerate(venue.zones):
        n = spec.people_in(zone)
        if n <= 0:
            continue
        region = zone.area.intersection(free)
        pos.append(place(region, n, rng, what=f"{venue.source}: zone {zone.name!r}"))
        v0.append(spec.desired_speed.sample(rng, n))
        radius.append(spec.radius.sample(rng, n))
        override = spec.zones.get(zone.name)
        pre = override.premovement if override and override.premovement else spec.premovement
        t_start.append(pre.sample(rng, n))
        zone_idx.append(np.full(n, k, np.int64))
    if not pos:
        empty = np.zeros(0)
        return Population(np.zeros((0, 2)), empty, empty, empty, np.zeros(0, np.int64))
    population = Population(
        pos=np.vstack(pos),
        v0=np.concatenate(v0),
        radius=np.concatenate(radius),
        t_start=np.concatenate(t_start),
        zone=np.concatenate(zone_idx),
    )
    if (population.v0 <= 0).any():
        raise ValueError("population: desired speeds must be > 0 m/s; set min > 0 on desired_speed")
    if (population.radius <= 0.05).any() or (population.radius > 1.0).any():
        raise ValueError(
            "population: radii must lie in (0.05, 1.0] m; bound the radius distribution"
        )
    return population


def place(region: BaseGeometry, n: int, rng: np.random.Generator, *, what: str) -> np.ndarray:
    """``n`` points spread over ``region`` on a jittered hexagonal lattice.

    The lattice spacing starts at the one that fits ``n`` people in the region's area and
    shrinks until there are enough sites (never below :data:`MIN_SPACING_M`); ``n`` sites are then
    chosen at random.

    Raises:
        ValueError: If the region cannot hold ``n`` people at the closest spacing.
    """
    area = region.area
    if area <= 0:
        raise ValueError(f"{what}: no room to place people (zone lies against walls or obstacles)")
    spacing = max(np.sqrt(2.0 * area / (np.sqrt(3.0) * n)), MIN_SPACING_M)
    shapely.prepare(region)
    while True:
        sites = _hex_sites(region, spacing, rng)
        if len(sites) >= n:
            break
        if spacing <= MIN_SPACING_M:
            raise ValueError(
                f"{what}: {n} people do not fit (room for {len(sites)} at {MIN_SPACING_M} m "
                "spacing); lower the number of people or enlarge the zone"
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
