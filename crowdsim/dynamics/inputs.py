"""The kernel's inputs, as named tuples that numba compiles to plain structs.

Every compiled function reads its arrays and scalars by name (``crowd.pos``, ``forces.tau_s``),
never by position, so adding or reordering a field cannot make the kernel read the wrong one.
numba types a named tuple by its field types: scalars are stored as Python ``float`` (float64) or
``int`` (int64) whatever the caller passed, so that every call finds the compiled version.

Two grids meet in the kernel, and their origins differ: the navigation field is sampled at cell
*centres*, the first at (``Field.centre_x0``, ``Field.centre_y0``); the cell lists of walls and
people are binned by cell *squares*, the first with its lower-left corner at
(``WallCells.corner_x0``, ``WallCells.corner_y0``).
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from crowdsim.dynamics.params import SocialForceParams


class Crowd(NamedTuple):
    """Per-person arrays (see :class:`crowdsim.dynamics.crowd.CrowdState`), updated in place.

    Rows may hold people in any order (:mod:`crowdsim.dynamics.rows`): ``person`` (n,) int64
    gives the person in each row and ``row_of`` (n,) int64 the row of each person; the kernel
    uses the person's number wherever the order of people matters.
    """

    pos: np.ndarray
    vel: np.ndarray
    v0: np.ndarray
    radius: np.ndarray
    t_start: np.ndarray
    active: np.ndarray
    target: np.ndarray
    exit_id: np.ndarray
    exit_time: np.ndarray
    service_time: np.ndarray
    passed: np.ndarray
    person: np.ndarray
    row_of: np.ndarray


class Field(NamedTuple):
    """Where people want to go, sampled from the navigation grid.

    Attributes:
        directions: (n_targets, ny, nx, 2) float32 unit walking directions per target.
        speed_factor: (ny, nx) float32 share of the desired speed on each cell (stairs < 1).
        centre_x0: x of the centre of the grid's first cell (m).
        centre_y0: y of the centre of the grid's first cell (m).
        h_m: Cell size (m).
        hazards: (k, 3) hazard circles x, y, radius (m): people inside walk straight out,
            nobody steps in.
        clear_width: (ny, nx) float32 clear width (m) of the passage at each cell, up to a
            cap that open floor reaches (see :func:`crowdsim.navigation.passages.passage_width`).
    """

    directions: np.ndarray
    speed_factor: np.ndarray
    centre_x0: float
    centre_y0: float
    h_m: float
    hazards: np.ndarray
    clear_width: np.ndarray


class WallCells(NamedTuple):
    """Wall and portal segments binned on the neighbour grid (see :class:`SpatialGrid`).

    Attributes:
        segments: (n, 4) x1, y1, x2, y2 (m).
        kinds: (n,) −1 for a wall, else the portal index.
        prev: (n,) the wall segment ending where this one starts (−1: none).
        next: (n,) the wall segment starting where this one ends (−1: none).
        cell_start: (nx·ny + 1,) segments of cell c are
            ``cell_items[cell_start[c]:cell_start[c + 1]]``.
        cell_items: Segment indices grouped by cell.
        corner_x0: x of the lower-left corner of the grid's first cell (m).
        corner_y0: y of the lower-left corner of the grid's first cell (m).
        cell_m: Cell size (m).
        nx: Number of columns.
        ny: Number of rows.
        period_m: Period of the domain along x (m); 0 for none.
    """

    segments: np.ndarray
    kinds: np.ndarray
    prev: np.ndarray
    next: np.ndarray
    cell_start: np.ndarray
    cell_items: np.ndarray
    corner_x0: float
    corner_y0: float
    cell_m: float
    nx: int
    ny: int
    period_m: float


class PeopleCells(NamedTuple):
    """Scratch of the people's cell lists, rebuilt every step on the grid of :class:`WallCells`.

    Besides the lists, the positions, velocities and radii of the people binned are copied into
    *slots* in cell order, so that a person's neighbours lie next to each other in memory: slot
    s holds person ``person[s]``. The slots follow the same order as ``order``.

    Attributes:
        agent_cell: (n_people,) cell of each person (−1: not binned).
        cell_start: (nx·ny + 1,) people of cell c are ``order[cell_start[c]:cell_start[c + 1]]``.
        cell_fill: (nx·ny,) fill pointer of each cell while sorting.
        order: (n_people,) rows of the people binned, grouped by cell, by number within a cell.
        x: (n_people,) x of the person in each slot (m).
        y: (n_people,) y of the person in each slot (m).
        vx: (n_people,) x velocity of the person in each slot (m/s).
        vy: (n_people,) y velocity of the person in each slot (m/s).
        radius: (n_people,) radius of the person in each slot (m).
        radius_max: (1,) the largest radius among the people binned (m).
        binned: (n_people,) whether the person in each slot is still binned: people who leave
            by a flow-limited exit, or walk beyond the run-out, between two rebuilds of the
            lists no longer count as neighbours.
        listed: (threads, n_people) scratch of each thread: the slots near one person.
    """

    agent_cell: np.ndarray
    cell_start: np.ndarray
    cell_fill: np.ndarray
    order: np.ndarray
    x: np.ndarray
    y: np.ndarray
    vx: np.ndarray
    vy: np.ndarray
    radius: np.ndarray
    radius_max: np.ndarray
    binned: np.ndarray
    listed: np.ndarray

    @classmethod
    def allocate(cls, n_people: int, n_cells: int, *, listed: bool = True) -> PeopleCells:
        """Zeroed buffers for ``n_people`` on a grid of ``n_cells``, for any number of threads.

        Without ``listed`` the pair search's scratch is empty, shape (1, 0): the GPU kernel
        searches in one pass (see :func:`crowdsim.dynamics.held.split_pairs`).
        """
        return cls(
            agent_cell=np.zeros(n_people, np.int64),
            cell_start=np.zeros(n_cells + 1, np.int64),
            cell_fill=np.zeros(n_cells, np.int64),
            order=np.zeros(n_people, np.int64),
            x=np.zeros(n_people),
            y=np.zeros(n_people),
            vx=np.zeros(n_people),
            vy=np.zeros(n_people),
            radius=np.zeros(n_people),
            radius_max=np.zeros(1),
            binned=np.zeros(n_people, np.bool_),
            listed=np.zeros((max_threads(), n_people) if listed else (1, 0), np.int32),
        )


def max_threads() -> int:
    """The most threads numba may run the kernel on in this process."""
    return int(numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]


class HeldPairs(NamedTuple):
    """What a refresh of the pair forces leaves for the steps until the next one.

    See :mod:`crowdsim.dynamics.forces` (multiple time stepping).

    Attributes:
        near_gap_m: Pairs nearer than this gap (m) are listed and evaluated every step.
        pairs: (n_people, room) int32 slots of the near pairs of the person in each slot,
            in slot order.
        n_near: (n_people,) int64 number of near pairs listed per slot.
        sums: (n_people, 4) float64 held accelerations of the person in each slot (m/s²): the
            far pairs' social forces (x, y), and the body force of near pairs the list had no
            room for.
    """

    near_gap_m: float
    pairs: np.ndarray
    n_near: np.ndarray
    sums: np.ndarray

    @classmethod
    def allocate(cls, n_people: int, room: int) -> HeldPairs:
        """Zeroed buffers for ``n_people``, each with room for ``room`` near pairs."""
        return cls(
            near_gap_m=0.0,
            pairs=np.zeros((n_people, room), np.int32),
            n_near=np.zeros(n_people, np.int64),
            sums=np.zeros((n_people, 4)),
        )


class Portals(NamedTuple):
    """Per-portal arrays (see :class:`crowdsim.dynamics.crowd.PortalState`), updated in place."""

    open: np.ndarray
    free_at: np.ndarray
    headway_s: np.ndarray
    is_gate: np.ndarray


class Forces(NamedTuple):
    """The social-force parameters the kernel reads, named as in :class:`SocialForceParams`.

    Build it with :func:`forces_from`, which copies each field by name.
    """

    mass_kg: float
    tau_s: float
    a_n: float
    b_m: float
    k_kg_s2: float
    kappa_kg_ms: float
    interaction_range_m: float
    speed_cap_factor: float
    wall_social_cap: float
    wall_a_n: float
    wall_b_m: float
    fluctuation_m_s: float
    anisotropy: float
    social_cap: float
    space_a_n: float
    space_b_m: float
    headway_s: float
    headway_max_m: float
    run_out_s: float
    turn_aperture_ratio: float
    turned_width_share: float
    beside_brake_share: float


def forces_from(params: SocialForceParams) -> Forces:
    """The kernel's parameters, each copied from the field of ``params`` of the same name.

    Raises:
        AttributeError: If a field of :class:`Forces` is no longer a parameter (renamed).
    """
    return Forces(**{name: float(getattr(params, name)) for name in Forces._fields})
