"""Multi-level venues: levels laid out side by side in one plane, joined by stairs and escalators.

The social-force kernel is two-dimensional, so a venue of several levels is *unfolded*: each
level keeps its own floor plan and is laid out in the simulation plane beside the others,
without overlap. Every stair or escalator gets a **flight**: a strip of floor of the stair's
walking length and clear width, laid out in a row below the levels, on which people walk at the
stair's speed factor. A flight is joined to its two **landings** (openings in the boundary of
the upper and the lower level) by **seams**: a person who walks out through a landing comes in
at the matching end of the flight, keeping their place across the width, their heading and
their speed relative to the opening, as if the flight were built there; and likewise at the
flight's other end. Densities, queues and counter-flow on the stairs are therefore simulated
like anywhere else, the flow limit of a stair is applied where people step onto it, and the
direction of a one-way stair (or of an escalator) is a seam that is open one way only.

Each seam *side* (:class:`SeamSide`) is a line people can cross in one direction, out of the
part of the plane they are in; the model moves them to the side's partner line.

Defaults, each with its source:

* speed factors (share of the desired speed on the flight): 0.7 down and 0.5 up, the factors
  the validation suite's RiMEA 2 and 3 checks hold the model to; they lie within Fruin's (1971)
  stair speeds (down 0.60–1.01 m/s, up 0.49–0.67 m/s, as quoted by PD 7974-6) for the level
  speed of 1.34 m/s (Weidmann 1993);
* the flow limit: the maximum specific flow of IMO MSC.1/Circ.1533 (Annex 2, appendix 1,
  table 1.2), 1.1 persons/(m·s) down and 0.88 up, times the clear width;
* walking length: twice the rise (a 30° pitch, within the 27–32° of Fruin's stairs and the
  30° of most escalators) when both levels give an elevation;
* an escalator walks like a stair of its width (an escalator stopped for an evacuation); give
  ``speed_factor`` and ``max_flow_p_s`` for one that keeps running.

A two-way stair (``direction = "both"``) takes the slower "up" factor and flow by default: the
flight has one speed factor, and a planner's figure should err on the safe side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon

#: Ways a stair may be walked: from the upper landing down, from the lower landing up, or both.
DIRECTIONS = ("down", "up", "both")
#: Kinds of connection between levels (informative for stairs; escalators must run one way).
STAIR_KINDS = ("stairs", "escalator")
#: Share of the desired speed on a flight, by walking direction (see the module docstring).
STAIR_SPEED_FACTORS = {"down": 0.7, "up": 0.5}
#: Maximum specific flow on stairs, persons/(m·s) (IMO MSC.1/Circ.1533, Annex 2, table 1.2).
STAIR_SPECIFIC_FLOW = {"down": 1.1, "up": 0.88}
#: Walking length per metre of rise when none is given: a 30° pitch (1 / sin 30°).
LENGTH_PER_RISE = 2.0
#: Clear space (m) left between levels, and between flights, in the simulation plane.
LAYOUT_GAP_M = 10.0
#: Where the flights' row starts below the lowest level (m).
FLIGHT_ROW_GAP_M = 10.0


@dataclass(frozen=True)
class Level:
    """One floor of a multi-level venue, as laid out in the simulation plane.

    Attributes:
        name: Unique name (``"ground"``, ``"mezzanine"``, ``"platform"``...).
        area: The level's floor before obstacles, in plane coordinates (m).
        elevation_m: Height of the floor (m), informative, and the rise of stairs without a
            ``length_m``.
        offset: (x, y) added to the level's own coordinates to place it in the plane (m).
    """

    name: str
    area: Polygon
    elevation_m: float = 0.0
    offset: tuple[float, float] = (0.0, 0.0)

    def to_local(self, xy: np.ndarray) -> np.ndarray:
        """Plane coordinates (n, 2) as the level's own coordinates."""
        return np.asarray(xy, float) - np.asarray(self.offset, float)


@dataclass(frozen=True)
class Landing:
    """Where a stair meets a level: an opening on the level's walkable boundary.

    Attributes:
        level: Name of the level.
        line: The opening, a straight segment in plane coordinates (m).
    """

    level: str
    line: LineString


@dataclass(frozen=True)
class Stair:
    """A stair or escalator joining an upper and a lower level.

    Attributes:
        name: Unique name.
        upper: Landing on the upper level.
        lower: Landing on the lower level.
        length_m: Walking length of the flight(s), landing to landing (m).
        width_m: Clear width (m); the landings are this wide.
        direction: ``down`` (only from the upper landing), ``up`` or ``both``.
        speed_factor: Share of each person's desired speed on the flight.
        max_flow_p_s: Most people per second who may step onto the stair (at each entry).
        kind: ``stairs`` or ``escalator``.
        flight_at: (x, y) of the flight's corner in the plane (m): the flight is the rectangle
            [x, x + length_m] × [y, y + width_m]; its upper end is at x, its lower end at
            x + length_m.
    """

    name: str
    upper: Landing
    lower: Landing
    length_m: float
    width_m: float
    direction: str = "both"
    speed_factor: float = STAIR_SPEED_FACTORS["up"]
    max_flow_p_s: float | None = None
    kind: str = "stairs"
    flight_at: tuple[float, float] = (0.0, 0.0)

    @cached_property
    def flight(self) -> Polygon:
        """The flight's floor in the plane (m)."""
        x, y = self.flight_at
        return shapely.box(x, y, x + self.length_m, y + self.width_m)

    @property
    def flight_upper_end(self) -> LineString:
        """The flight's end that meets the upper landing."""
        x, y = self.flight_at
        return LineString([(x, y), (x, y + self.width_m)])

    @property
    def flight_lower_end(self) -> LineString:
        """The flight's end that meets the lower landing."""
        x, y = self.flight_at
        x += self.length_m
        return LineString([(x, y), (x, y + self.width_m)])

    @property
    def travel_s_at_1_34(self) -> float:
        """Time to walk the flight at 1.34 m/s desired speed, unhindered (s)."""
        return self.length_m / (1.34 * self.speed_factor)


def default_speed_factor(direction: str) -> float:
    """Speed factor of a stair walked ``direction`` (``both`` takes the slower ``up``)."""
    return STAIR_SPEED_FACTORS["down" if direction == "down" else "up"]


def default_max_flow_p_s(direction: str, width_m: float) -> float:
    """IMO's maximum specific flow for ``direction`` times the width (``both``: ``up``)."""
    return STAIR_SPECIFIC_FLOW["down" if direction == "down" else "up"] * width_m


@dataclass(frozen=True)
class SeamSide:
    """One way across a seam: out through ``line``, in at ``partner``.

    Frames: ``outward`` is the unit normal of ``line`` pointing out of the walkable part people
    leave, ``partner_outward`` that of ``partner`` pointing out of the part they enter. A point
    u along and d beyond ``line`` (in the frame ``tangent`` = ``outward`` turned 90°
    anticlockwise) lands u along and d inside ``partner`` with left and right kept.

    Attributes:
        name: Description, e.g. ``"stair 'north' upper landing → flight"``.
        stair: Name of the stair.
        line: The line crossed (m).
        partner: The line people come in at (m).
        outward: Unit normal of ``line``, out of the part left.
        partner_outward: Unit normal of ``partner``, out of the part entered.
        max_flow_p_s: Flow limit at this side (stair entries), None for none.
        entering: True for a landing → flight side (onto the stair).
    """

    name: str
    stair: str
    line: LineString
    partner: LineString
    outward: tuple[float, float]
    partner_outward: tuple[float, float]
    max_flow_p_s: float | None
    entering: bool

    @property
    def centre(self) -> np.ndarray:
        """Midpoint of ``line``."""
        return np.asarray(self.line.interpolate(0.5, normalized=True).coords[0])

    @property
    def partner_centre(self) -> np.ndarray:
        """Midpoint of ``partner``."""
        return np.asarray(self.partner.interpolate(0.5, normalized=True).coords[0])

    def carry(self, xy: np.ndarray, vel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions (n, 2) beyond ``line`` and velocities, carried across to ``partner``."""
        o = np.asarray(self.outward)
        t = np.array([-o[1], o[0]])
        q = np.asarray(self.partner_outward)
        tq = np.array([-q[1], q[0]])
        rel = np.asarray(xy, float) - self.centre
        u, d = rel @ t, rel @ o
        pos = self.partner_centre - np.outer(u, tq) - np.outer(d, q)
        vu, vd = vel @ t, vel @ o
        return pos, -np.outer(vu, tq) - np.outer(vd, q)

    def back(self, xy: np.ndarray, depth_m: float) -> np.ndarray:
        """Points at the same place across ``line``, ``depth_m`` before it (on the near side)."""
        o = np.asarray(self.outward)
        t = np.array([-o[1], o[0]])
        rel = np.asarray(xy, float) - self.centre
        return self.centre + np.outer(rel @ t, t) - depth_m * o


def outward_normal(line: LineString, floor: Polygon | shapely.Geometry) -> tuple[float, float]:
    """Unit normal of a straight ``line`` on the boundary of ``floor``, pointing out of it."""
    (x1, y1), (x2, y2) = np.asarray(line.coords)[[0, -1]]
    length = float(np.hypot(x2 - x1, y2 - y1))
    n = np.array([(y2 - y1) / length, -(x2 - x1) / length])
    mid = np.array([(x1 + x2) / 2, (y1 + y2) / 2])
    probe = min(0.05, 0.25 * length)
    if shapely.contains_xy(floor, *(mid + probe * n)):
        n = -n
    return (float(n[0]), float(n[1]))


def seam_sides(stairs: Sequence[Stair], walkable: shapely.Geometry) -> tuple[SeamSide, ...]:
    """The open seam sides of ``stairs`` (closed ways are walls), in stair order.

    Per stair, in this order where its direction allows: upper landing → flight (onto the
    stair, going down), flight → lower landing, lower landing → flight (onto the stair, going
    up), flight → upper landing.
    """
    out: list[SeamSide] = []
    for st in stairs:
        upper_out = outward_normal(st.upper.line, walkable)
        lower_out = outward_normal(st.lower.line, walkable)
        top_out = outward_normal(st.flight_upper_end, st.flight)
        bottom_out = outward_normal(st.flight_lower_end, st.flight)
        limit = st.max_flow_p_s
        label = f"{st.kind} {st.name!r}"
        if st.direction in ("down", "both"):
            out += [
                SeamSide(
                    f"{label} upper landing → flight",
                    st.name,
                    st.upper.line,
                    st.flight_upper_end,
                    upper_out,
                    top_out,
                    limit,
                    True,
                ),
                SeamSide(
                    f"{label} flight → lower landing",
                    st.name,
                    st.flight_lower_end,
                    st.lower.line,
                    bottom_out,
                    lower_out,
                    None,
                    False,
                ),
            ]
        if st.direction in ("up", "both"):
            out += [
                SeamSide(
                    f"{label} lower landing → flight",
                    st.name,
                    st.lower.line,
                    st.flight_lower_end,
                    lower_out,
                    bottom_out,
                    limit,
                    True,
                ),
                SeamSide(
                    f"{label} flight → upper landing",
                    st.name,
                    st.flight_upper_end,
                    st.upper.line,
                    top_out,
                    upper_out,
                    None,
                    False,
                ),
            ]
    return tuple(out)


def level_offsets(
    bounds: Sequence[tuple[float, float, float, float]],
    fixed: Sequence[tuple[float, float] | None],
    *,
    gap_m: float = LAYOUT_GAP_M,
) -> list[tuple[float, float]]:
    """Offsets that lay levels out left to right in the plane, without overlap.

    The first level keeps its own coordinates (offset (0, 0), unless fixed); each further level
    is placed ``gap_m`` to the right of everything placed so far, bottom-aligned with the first.
    Levels with a ``fixed`` offset keep it.

    Args:
        bounds: Each level's (xmin, ymin, xmax, ymax) in its own coordinates (m).
        fixed: Each level's offset if the file gives one, else None.
        gap_m: Clear space between levels (m).
    """
    offsets: list[tuple[float, float]] = []
    right = -np.inf
    base_y = None
    for (x0, y0, x1, _y1), given in zip(bounds, fixed, strict=True):
        if given is not None:
            off = given
        elif not offsets:
            off = (0.0, 0.0)
        else:
            assert base_y is not None
            off = (float(right + gap_m - x0), float(base_y - y0))
        offsets.append((float(off[0]), float(off[1])))
        right = max(right, x1 + off[0])
        if base_y is None:
            base_y = y0 + off[1]
    return offsets


def flight_corners(
    stairs: Sequence[tuple[float, float]],
    plane_bounds: tuple[float, float, float, float],
    *,
    gap_m: float = LAYOUT_GAP_M,
    row_gap_m: float = FLIGHT_ROW_GAP_M,
) -> list[tuple[float, float]]:
    """Lower-left corners that lay flights out in a row below the levels.

    Args:
        stairs: Each flight's (length_m, width_m).
        plane_bounds: Bounds of the levels as laid out (m).
        gap_m: Clear space between flights (m).
        row_gap_m: Clear space between the levels and the row (m).
    """
    xmin, ymin = plane_bounds[0], plane_bounds[1]
    widest = max((w for _, w in stairs), default=0.0)
    y = ymin - row_gap_m - widest
    corners = []
    x = xmin
    for length, _width in stairs:
        corners.append((float(x), float(y)))
        x += length + gap_m
    return corners
