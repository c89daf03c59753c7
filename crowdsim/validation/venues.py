"""Venues of the validation suite that are built in Python (sweeps and replicas of experiments).

Each builder returns a validated :class:`~crowdsim.venue.Venue`; the geometry and its source are
documented in ``experiments/validation/README.md``. Lengths are metres. Venues with fixed
geometry (RiMEA 1, 5, 6, 9, the IMO/NIST room, the faster-is-slower room) are TOML files in
``experiments/validation/venues/`` instead.
"""

from __future__ import annotations

import shapely
from shapely.geometry import LineString, Polygon, box

from crowdsim.validation.experiments import DATASETS
from crowdsim.venue import Exit, Venue, Zone

#: Thickness of the walls that hold the door openings of the HERMES corridor replica (m).
WALL_M = 0.2


def _venue(name: str, parts: list[Polygon], exits: list[Exit], zones: list[Zone]) -> Venue:
    area = shapely.union_all(parts)
    if not isinstance(area, Polygon):
        raise ValueError(f"{name}: the parts of the area do not join into one polygon")
    return Venue(
        name=name,
        area=area.normalize(),
        exits=tuple(exits),
        zones=tuple(zones),
        source="crowdsim.validation.venues",
    )


def free_walking_hall(lanes: int, *, length_m: float = 40.0, lane_m: float = 2.0) -> Venue:
    """A hall ``lanes × lane_m`` wide and ``length_m`` long, exit across the whole east wall.

    Each lane has a start zone holding one person: 0.8 m × 0.4 m (x ∈ [0.6, 1.4]) around the
    lane's centre line, so neighbours start at least ``lane_m`` − 0.4 m apart. Everybody walks
    east without meeting: at 2 m lanes the gap between two bodies (radii ≤ 0.35 m) is at least
    0.9 m, beyond the 0.5 m over which the social force acts (RiMEA 7, free walking speeds).
    """
    width = lanes * lane_m
    starts = [
        Zone(f"lane {k + 1}", box(0.6, (k + 0.5) * lane_m - 0.2, 1.4, (k + 0.5) * lane_m + 0.2), 1)
        for k in range(lanes)
    ]
    return _venue(
        "free-walking hall",
        [box(0.0, 0.0, length_m, width)],
        [Exit("east", LineString([(length_m, 0.0), (length_m, width)]))],
        starts,
    )


def two_rooms(bottleneck_m: float = 1.0, *, people: int = 150) -> Venue:
    """RiMEA test 12: two 10 m × 10 m rooms joined by a 5 m corridor ``bottleneck_m`` wide.

    Room 1 is x ∈ [0, 10], the corridor x ∈ [10, 15] centred on y = 5, room 2 x ∈ [15, 25]
    with a 1 m exit centred in its east wall. ``people`` start in the back half of room 1
    (the JuPedSim RiMEA 12 set-up).
    """
    half = bottleneck_m / 2
    return _venue(
        f"RiMEA 12, bottleneck {bottleneck_m:.2f} m",
        [box(0, 0, 10, 10), box(10, 5 - half, 15, 5 + half), box(15, 0, 25, 10)],
        [Exit("exit", LineString([(25, 4.5), (25, 5.5)]))],
        [Zone("room 1", box(0.0, 0.0, 5.0, 10.0), people)],
    )


def corner_corridor(*, width_m: float, leg_m: float, holding_m: float, people: int) -> Venue:
    """RiMEA test 15: a corridor turning left by 90°, with a holding area in front.

    The crowd starts in x ∈ [−holding_m, 0], y ∈ [0, width_m]; the corridor runs east for
    ``leg_m`` along its inner (north) edge, turns north and runs ``leg_m`` more along its inner
    (west) edge to the exit. Inner-edge length beyond the holding area: 2·leg_m; outer edge:
    2·leg_m + 2·width_m.
    """
    w, a = width_m, leg_m
    outline = Polygon(
        [(-holding_m, 0), (a + w, 0), (a + w, w + a), (a, w + a), (a, w), (-holding_m, w)]
    )
    return _venue(
        "RiMEA 15 corner",
        [outline],
        [Exit("exit", LineString([(a, w + a), (a + w, w + a)]))],
        [Zone("crowd", box(-holding_m, 0, 0, w), people)],
    )


def straight_corridor(*, width_m: float, length_m: float, holding_m: float, people: int) -> Venue:
    """A straight corridor ``length_m`` long beyond the same holding area (RiMEA 15 references)."""
    return _venue(
        f"straight corridor {length_m:.0f} m",
        [box(-holding_m, 0, length_m, width_m)],
        [Exit("exit", LineString([(length_m, 0), (length_m, width_m)]))],
        [Zone("crowd", box(-holding_m, 0, 0, width_m), people)],
    )


def bottleneck(width_m: float, *, people: int, density_pm2: float = 3.0) -> Venue:
    """Bottleneck of the HERMES 2009 wide-bottleneck geometry, with any opening width.

    Waiting area x ∈ [−2.25, 4.0] in front of an opening ``width_m`` wide centred on x = 0.9
    and 1.06 m long (y ∈ [−0.53, 0.53]); area behind it up to y = 6.25 with the exit across its
    far end (the run 2009_AO_300's ``geo.xml`` for ``width_m`` = 3). The waiting area is as deep
    as ``people`` need at ``density_pm2`` (2009_AO_300 starts at about 3 persons/m²).
    """
    x0, x1, half = -2.25, 4.0, width_m / 2
    depth = people / (density_pm2 * (x1 - x0))
    y_back = -0.53 - depth
    return _venue(
        f"bottleneck {width_m:.2f} m",
        [
            box(x0, y_back, x1, -0.53),
            box(0.9 - half, -0.53, 0.9 + half, 0.53),
            box(x0, 0.53, x1, 6.25),
        ],
        [Exit("exit", LineString([(x0, 6.25), (x1, 6.25)]))],
        [Zone("waiting area", box(x0, y_back, x1, -0.53), people)],
    )


def opening(width_m: float, *, people: int, depth_m: float = 0.4, funnel_m: float = 0.0) -> Venue:
    """An opening ``width_m`` wide and ``depth_m`` deep in a wall, with people waiting before it.

    The waiting area x ∈ [−3, 3], y < 0, is as deep as ``people`` need at 3 persons/m²; the
    opening x ∈ [−w/2, w/2] runs from y = 0 to y = ``depth_m``; beyond it an area 8 m wide and
    4 m deep has its far edge as the exit. ``funnel_m`` > 0 bevels both jambs at the mouth by
    that much at 45° (the Wuppertal entrance has 0.15 m); 0 leaves square corners.
    """
    half, back = width_m / 2, people / (3.0 * 6.0)
    parts = [
        box(-3.0, -back, 3.0, 0.0),
        box(-half, 0.0, half, depth_m),
        box(-4.0, depth_m, 4.0, depth_m + 4.0),
    ]
    if funnel_m > 0:
        f = funnel_m
        parts.append(Polygon([(-half - f, 0.0), (-half, f), (half, f), (half + f, 0.0)]))
    shape = f"funnelled {funnel_m:.2f} m" if funnel_m > 0 else "square-cornered"
    return _venue(
        f"{shape} opening {width_m:.2f} m",
        parts,
        [Exit("exit", LineString([(-4.0, depth_m + 4.0), (4.0, depth_m + 4.0)]))],
        [Zone("waiting area", box(-3.0, -back, 3.0, 0.0), people)],
    )


def wuppertal_bottleneck() -> Venue:
    """Replica of the Wuppertal 2018 entrance (run 040_c_56_h-): a 0.5 m opening.

    Corridor x ∈ [−2.8, 2.8] (5.6 m) for y ∈ [0, 8]; the opening x ∈ [−0.25, 0.25] with its
    bevelled mouth runs from y = 0 down to y = −1.1 (PedPy's walkable area); below it an area
    y ∈ [−2, −1.1] whose south edge is the exit. People start where the experiment's did.
    """
    return _venue(
        "Wuppertal 2018 entrance, 0.5 m",
        [
            box(-2.8, 0.0, 2.8, 8.0),
            Polygon(
                [
                    (-0.4, 0.0),
                    (-0.25, -0.15),
                    (-0.25, -1.1),
                    (0.25, -1.1),
                    (0.25, -0.15),
                    (0.4, 0.0),
                ]
            ),
            box(-3.5, -2.0, 3.5, -1.1),
        ],
        [Exit("exit", LineString([(-3.5, -2.0), (3.5, -2.0)]))],
        [],
    )


def hermes_corridor(
    entrance_m: float, exit_m: float, *, people: int, density_pm2: float = 2.0
) -> Venue:
    """Replica of a HERMES 2009 unidirectional corridor run (1.8 m wide, people walk −y).

    PedPy's walkable area (corridor x ∈ [0, 1.8], y ∈ [−4, 4]; wider areas x ∈ [−1, 2.8] for
    y ∈ [4, 8] and y ∈ [−6.5, −4]) with the entrance, ``entrance_m`` wide in a 0.2 m wall, at
    the north edge y = 8 of the recorded area, leading from an 8 m wide holding area as deep as
    ``people`` need at ``density_pm2``; the exit opening, ``exit_m`` wide in a 0.2 m wall, at
    the end of the corridor (y = −4); people leave across y = −6.7.
    """
    cx, depth = 0.9, people / (density_pm2 * 8.0)
    top = 8.0 + WALL_M
    return _venue(
        f"HERMES corridor, entrance {entrance_m:.2f} m, exit {exit_m:.2f} m",
        [
            box(cx - 4.0, top, cx + 4.0, top + depth),
            box(cx - entrance_m / 2, 8.0, cx + entrance_m / 2, top),
            box(-1.0, 4.0, 2.8, 8.0),
            box(0.0, -4.0, 1.8, 4.0),
            box(cx - exit_m / 2, -4.0 - WALL_M, cx + exit_m / 2, -4.0),
            box(-1.0, -6.5 - WALL_M, 2.8, -4.0 - WALL_M),
        ],
        [Exit("exit", LineString([(-1.0, -6.5 - WALL_M), (2.8, -6.5 - WALL_M)]))],
        [Zone("holding area", box(cx - 4.0, top, cx + 4.0, top + depth), people)],
    )


def corner_replica(*, people: int, approach_m: float) -> Venue:
    """Replica of the corner experiment: its ``geo.xml`` L-shape with an approach leg added.

    People walk west along the horizontal leg (y ∈ [−3, 0]), turn right into the vertical leg
    (x ∈ [−3, 0]) and leave across its end y = 5. The horizontal leg is extended east by
    ``approach_m`` beyond x = 5, where the ``people`` start spread evenly.
    """
    recorded = DATASETS["corner"].walkable_area
    return _venue(
        "corner experiment replica",
        [recorded, box(4.99, -3.0, 5.0 + approach_m, 0.0)],
        [Exit("exit", LineString([(-3.0, 5.0), (0.0, 5.0)]))],
        [Zone("approach", box(5.0, -3.0, 5.0 + approach_m, 0.0), people)],
    )
