"""The integration step on an NVIDIA GPU (numba-cuda): the CPU kernel's physics, a thread a person.

Optional: it needs the ``gpu`` extra (``pip install 'crowdsim[gpu]'``), and nothing else in
crowdsim imports it unless a stepper is asked for ``device="cuda"``
(:class:`~crowdsim.dynamics.crowd.SocialForceStepper`).

The kernels below call the very functions the CPU kernel calls for one person — the forces
(:func:`~crowdsim.dynamics.forces.slot_acceleration`), the move and the wall guard
(:func:`~crowdsim.dynamics.integrator.move_person`), binning and slots, portal admission — with
the same named tuples (:mod:`crowdsim.dynamics.inputs`) holding device arrays. What differs is
the order of work, never the order of a sum:

* **Cell lists** at each refresh of the slow forces: a histogram of the cells with integer
  atomics, a prefix sum, a scatter with atomics, and then each cell's people sorted by their
  number (``Crowd.person``), as the CPU kernel bins them, so that every person sums their pair
  forces in the same order whatever the GPU's scheduling;
* **the pair search** of a refresh takes each neighbour as the screen keeps it, in slot order,
  instead of listing the screened ones first (there is no room for a scratch row per person
  and thread): the same pairs in the same order;
* **portals** take the people crossing them one at a time by number: the move kernel collects
  them, and one thread sorts them by number and admits them;
* the refused moves are counted with an integer atomic.

Every float a person accumulates is their own (no float atomics; the largest radius is a
maximum, which does not depend on order), and the fluctuations come from the counter-based
generator of :mod:`crowdsim.dynamics.noise`: a run is repeatable and independent of the block
size. Against the CPU kernel, results differ only by the rounding of operations the GPU
compiler fuses into multiply-adds. numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``) runs
these kernels on the CPU with the compiled per-person functions, and gives the CPU kernel's
results to the bit (``tests/dynamics/test_gpu.py``).
"""

from __future__ import annotations

from typing import Any, NamedTuple, TypeVar

import numba
import numpy as np
from numba import cuda

from crowdsim.dynamics.forces import slot_acceleration
from crowdsim.dynamics.held import refresh_slot
from crowdsim.dynamics.inputs import (
    Crowd,
    Field,
    Forces,
    HeldPairs,
    PeopleCells,
    Portals,
    WallCells,
)
from crowdsim.dynamics.integrator import admit_person, bin_person, fill_slot, move_person

#: Threads per block of every kernel over people, slots or cells.
BLOCK = 128
#: Whether the kernels run in numba's CUDA simulator (on the CPU, for tests).
SIMULATED = bool(numba.config.ENABLE_CUDASIM)  # type: ignore[attr-defined]


class Scratch(NamedTuple):
    """Per-call buffers of the GPU step.

    Attributes:
        acc: (n, 5) acceleration and implicit friction matrix of each row (see
            :func:`~crowdsim.dynamics.forces.accelerations`).
        pending: (n, 2) where a move through a portal would end, until admitted.
        crossing: (n,) int64 the portal each row's move crosses (−1: none).
        crossers: (n,) int64 numbers of the people whose move crosses a portal in this step.
        n_crossers: (1,) int64 how many there are.
        blocked: (1,) int64 moves refused at walls and busy portals, summed over a call.
    """

    acc: Any
    pending: Any
    crossing: Any
    crossers: Any
    n_crossers: Any
    blocked: Any

    @classmethod
    def allocate(cls, n_people: int) -> Scratch:
        """Zeroed host buffers for ``n_people``."""
        return cls(
            acc=np.zeros((n_people, 5)),
            pending=np.zeros((n_people, 2)),
            crossing=np.full(n_people, -1, np.int64),
            crossers=np.zeros(n_people, np.int64),
            n_crossers=np.zeros(1, np.int64),
            blocked=np.zeros(1, np.int64),
        )


T = TypeVar("T", bound=tuple[Any, ...])


def to_device(arrays: T) -> T:
    """The named tuple with each numpy array copied to the GPU (kept as is when simulated)."""
    if SIMULATED:  # the simulator's kernels call the CPU-compiled functions on host arrays
        return arrays
    return type(arrays)(*(cuda.to_device(v) if isinstance(v, np.ndarray) else v for v in arrays))


def to_host(device: tuple[Any, ...], host: tuple[Any, ...]) -> None:
    """Copy each device array of ``device`` back into the numpy array of ``host`` in its place."""
    for d, h in zip(device, host, strict=True):
        if isinstance(h, np.ndarray) and d is not h:
            d.copy_to_host(h)


def _blocks(n: int) -> int:
    return max((n + BLOCK - 1) // BLOCK, 1)


@cuda.jit
def _zero_counts(cells: PeopleCells) -> None:
    c = cuda.grid(1)
    if c < cells.cell_start.shape[0]:
        cells.cell_start[c] = 0
    if c == 0:
        cells.radius_max[0] = 0.0


@cuda.jit
def _bin(
    crowd: Crowd, walls: WallCells, cells: PeopleCells, portals: Portals, since: float
) -> None:
    i = cuda.grid(1)
    if i < crowd.pos.shape[0]:
        c = bin_person(i, crowd, walls, cells, portals.headway_s, since)
        if c >= 0:
            cuda.atomic.add(cells.cell_start, c + 1, 1)


@cuda.jit
def _scan(cells: PeopleCells) -> None:
    if cuda.grid(1) == 0:  # one thread: a few thousand cells per site
        start, fill = cells.cell_start, cells.cell_fill
        for c in range(fill.shape[0]):
            start[c + 1] += start[c]
            fill[c] = start[c]


@cuda.jit
def _scatter(crowd: Crowd, cells: PeopleCells) -> None:
    i = cuda.grid(1)
    if i < crowd.pos.shape[0]:
        c = cells.agent_cell[i]
        if c >= 0:
            cells.order[cuda.atomic.add(cells.cell_fill, c, 1)] = i


@cuda.jit
def _sort_cells(crowd: Crowd, cells: PeopleCells) -> None:
    """Each cell's people by number (insertion sort: a cell holds a few dozen)."""
    c = cuda.grid(1)
    if c < cells.cell_fill.shape[0]:
        order, person = cells.order, crowd.person
        first = cells.cell_start[c]
        for a in range(first + 1, cells.cell_start[c + 1]):
            i = order[a]
            b = a - 1
            while b >= first and person[order[b]] > person[i]:
                order[b + 1] = order[b]
                b -= 1
            order[b + 1] = i


@cuda.jit
def _fill_slots(crowd: Crowd, cells: PeopleCells) -> None:
    s = cuda.grid(1)
    if s < cells.cell_start[cells.cell_fill.shape[0]]:
        cuda.atomic.max(cells.radius_max, 0, fill_slot(s, crowd, cells))


@cuda.jit
def _refresh_slots(crowd: Crowd, cells: PeopleCells, portals: Portals, since: float) -> None:
    s = cuda.grid(1)
    if s < cells.cell_start[cells.cell_fill.shape[0]]:
        refresh_slot(s, crowd, cells, portals.headway_s, since)


@cuda.jit
def _forces(
    crowd: Crowd,
    field: Field,
    walls: WallCells,
    cells: PeopleCells,
    portals: Portals,
    forces: Forces,
    t: float,
    dt: float,
    key: np.uint64,
    step: int,
    refresh: bool,
    held: HeldPairs,
    scratch: Scratch,
) -> None:
    i = cuda.grid(1)  # row i is zeroed if inactive; slot i's person (active) gets its forces
    if i < crowd.pos.shape[0]:
        if not crowd.active[i]:
            for k in range(5):
                scratch.acc[i, k] = 0.0
        if i < cells.cell_start[cells.cell_fill.shape[0]]:
            slot_acceleration(
                i,
                crowd,
                field,
                walls,
                cells,
                portals,
                forces,
                t,
                dt,
                key,
                step,
                refresh,
                held,
                cells.listed[0],
                scratch.acc,
            )


@cuda.jit
def _move(
    crowd: Crowd,
    field: Field,
    walls: WallCells,
    cells: PeopleCells,
    portals: Portals,
    forces: Forces,
    t: float,
    dt: float,
    scratch: Scratch,
) -> None:
    i = cuda.grid(1)
    if i < crowd.pos.shape[0]:
        acc, pending, crossing = scratch.acc, scratch.pending, scratch.crossing
        if move_person(
            i, crowd, field, walls, cells, portals, forces, t, dt, acc, pending, crossing
        ):
            cuda.atomic.add(scratch.blocked, 0, 1)
        elif crossing[i] >= 0:
            scratch.crossers[cuda.atomic.add(scratch.n_crossers, 0, 1)] = crowd.person[i]


@cuda.jit
def _admit(crowd: Crowd, portals: Portals, t: float, t_end: float, scratch: Scratch) -> None:
    """One thread: the people crossing a portal in this step, by number (few per step)."""
    if cuda.grid(1) == 0:
        who, m = scratch.crossers, scratch.n_crossers[0]
        for a in range(1, m):
            p = who[a]
            b = a - 1
            while b >= 0 and who[b] > p:
                who[b + 1] = who[b]
                b -= 1
            who[b + 1] = p
        refused = 0
        for a in range(m):
            i = crowd.row_of[who[a]]
            refused += int(
                admit_person(i, crowd, portals, t, t_end, scratch.pending, scratch.crossing)
            )
        scratch.blocked[0] += refused
        scratch.n_crossers[0] = 0


def advance(
    crowd: Crowd,
    field: Field,
    walls: WallCells,
    cells: PeopleCells,
    portals: Portals,
    forces: Forces,
    t0: float,
    dt: float,
    n_sub: int,
    key: np.uint64,
    scratch: Scratch,
    every: int,
    held: HeldPairs,
) -> int:
    """Advance the crowd by ``n_sub`` steps of ``dt`` seconds from ``t0``, on the GPU, in place.

    The arguments are those of :func:`crowdsim.dynamics.integrator.advance`, with device arrays
    (:func:`to_device`), ``cells.listed`` of shape (1, 0), and :class:`Scratch` for the CPU
    kernel's ``acc``, ``pending`` and ``crossing``.

    Returns:
        Number of moves refused because they would have crossed a wall or a busy portal.
    """
    n = int(crowd.pos.shape[0])
    n_cells = int(cells.cell_fill.shape[0])
    rows, cell_blocks = _blocks(n), _blocks(n_cells + 1)  # slots: at most one per row
    if SIMULATED:
        scratch.blocked[0] = 0
    else:
        scratch.blocked.copy_to_device(np.zeros(1, np.int64))
    step0 = round(t0 / dt)
    for k in range(n_sub):
        t = t0 + k * dt
        step = step0 + k
        refresh = k == 0 or step % every == 0
        since = t - forces.run_out_s
        if refresh:
            _zero_counts[cell_blocks, BLOCK](cells)
            _bin[rows, BLOCK](crowd, walls, cells, portals, since)
            _scan[1, 1](cells)
            _scatter[rows, BLOCK](crowd, cells)
            _sort_cells[cell_blocks, BLOCK](crowd, cells)
            _fill_slots[rows, BLOCK](crowd, cells)
        else:
            _refresh_slots[rows, BLOCK](crowd, cells, portals, since)
        _forces[rows, BLOCK](
            crowd, field, walls, cells, portals, forces, t, dt, key, step, refresh, held, scratch
        )
        _move[rows, BLOCK](crowd, field, walls, cells, portals, forces, t, dt, scratch)
        _admit[1, 1](crowd, portals, t, t + dt, scratch)
    blocked = scratch.blocked if SIMULATED else scratch.blocked.copy_to_host()
    return int(blocked[0])


class DeviceStep:
    """A stepper's kernel inputs on the GPU: the fixed ones uploaded once, the crowd each call.

    Args:
        field: Navigation directions, speed factors and hazards (see :meth:`set_field`).
        walls: Wall and portal segments binned on the neighbour grid.
        forces: Social-force parameters.
        n_people: Rows of the crowd.
        near_pairs: Room for near pairs per person (:class:`HeldPairs`).
    """

    def __init__(
        self, *, field: Field, walls: WallCells, forces: Forces, n_people: int, near_pairs: int
    ) -> None:
        self.field = to_device(field)
        self.walls = to_device(walls)
        self.forces = forces
        n_cells = walls.nx * walls.ny
        self.cells = to_device(PeopleCells.allocate(n_people, n_cells, listed=False))
        self.held = to_device(HeldPairs.allocate(n_people, near_pairs))
        self.scratch = to_device(Scratch.allocate(n_people))

    def set_field(self, field: Field) -> None:
        """Upload changed navigation fields or hazards."""
        self.field = to_device(field)

    def advance(
        self,
        crowd: Crowd,
        portals: Portals,
        *,
        t0: float,
        dt: float,
        n_sub: int,
        key: np.uint64,
        every: int,
        near_gap_m: float,
    ) -> int:
        """Advance the host arrays ``crowd`` and ``portals`` on the GPU; see :func:`advance`."""
        d_crowd, d_portals = to_device(crowd), to_device(portals)
        blocked = advance(
            d_crowd,
            self.field,
            self.walls,
            self.cells,
            d_portals,
            self.forces,
            t0,
            dt,
            n_sub,
            key,
            self.scratch,
            every,
            self.held._replace(near_gap_m=near_gap_m),
        )
        to_host(d_crowd, crowd)
        to_host(d_portals, portals)
        return blocked
