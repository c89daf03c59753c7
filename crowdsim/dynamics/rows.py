"""The kernel's storage order: the crowd's rows sorted by neighbour cell for each call.

The model keeps person i in row i for the whole run (:class:`~crowdsim.dynamics.crowd.CrowdState`),
so rows follow the order people were created, not where they stand. The kernel reads a person's
own arrays (desired speed, target, start time, acceleration) as it walks the crowd in cell order,
and with the rows in creation order each of those reads lands somewhere else in memory: once
the crowd outgrows the processor's caches (about 2,000 people per megabyte of cache) every one
is a miss. So the stepper copies the crowd, for each call of the kernel, into rows sorted by
cell (:func:`gather`) and copies it back afterwards (:func:`scatter`); the copies cost two
passes over the crowd per call of ten or more steps.

Results do not depend on the storage order: the kernel takes ``Crowd.person`` (row → person)
and ``Crowd.row_of`` (person → row) and uses the person's number wherever the order of people
matters — the fluctuations' random numbers, people binned by number within a cell (and so the
order in which forces are summed), portals taken one at a time by number, and the tie-break of
two people at one point. A run gives the same values to the bit with and without sorting.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from crowdsim.dynamics.inputs import Crowd, WallCells
from crowdsim.dynamics.segments import cell_of


@nb.njit(cache=True)
def sort_by_cell(
    pos: np.ndarray, walls: WallCells, count: np.ndarray, person: np.ndarray, row_of: np.ndarray
) -> None:
    """Order people by the cell they stand in, by number within a cell (a counting sort).

    Args:
        pos: (n, 2) positions (m) of people 0 … n − 1.
        walls: The neighbour grid.
        count: (nx·ny + 1,) int64 scratch.
        person: (n,) int64 output: the person in each row.
        row_of: (n,) int64 output: the row of each person.
    """
    x0, y0, nx, ny = walls.corner_x0, walls.corner_y0, walls.nx, walls.ny
    inv = 1.0 / walls.cell_m
    n = pos.shape[0]
    count[:] = 0
    for p in range(n):
        c = cell_of(pos[p, 0], pos[p, 1], x0, y0, inv, nx, ny)
        row_of[p] = c  # the cell, for now
        count[c + 1] += 1
    for c in range(nx * ny):
        count[c + 1] += count[c]
    for p in range(n):
        r = count[row_of[p]]
        count[row_of[p]] += 1
        row_of[p] = r
        person[r] = p


@nb.njit(cache=True)
def gather(source: Crowd, rows: Crowd) -> None:
    """Copy each person of ``source`` (row = person) into ``rows`` at ``rows.row_of``."""
    person = rows.person
    for r in range(person.shape[0]):
        p = person[r]
        rows.pos[r, 0] = source.pos[p, 0]
        rows.pos[r, 1] = source.pos[p, 1]
        rows.vel[r, 0] = source.vel[p, 0]
        rows.vel[r, 1] = source.vel[p, 1]
        rows.v0[r] = source.v0[p]
        rows.radius[r] = source.radius[p]
        rows.t_start[r] = source.t_start[p]
        rows.active[r] = source.active[p]
        rows.target[r] = source.target[p]
        rows.exit_id[r] = source.exit_id[p]
        rows.exit_time[r] = source.exit_time[p]
        rows.service_time[r] = source.service_time[p]
        rows.passed[r] = source.passed[p]


@nb.njit(cache=True)
def scatter(rows: Crowd, dest: Crowd) -> None:
    """Copy back what the kernel changes (positions, velocities, start times, exits, gates)."""
    person = rows.person
    for r in range(person.shape[0]):
        p = person[r]
        dest.pos[p, 0] = rows.pos[r, 0]
        dest.pos[p, 1] = rows.pos[r, 1]
        dest.vel[p, 0] = rows.vel[r, 0]
        dest.vel[p, 1] = rows.vel[r, 1]
        dest.t_start[p] = rows.t_start[r]
        dest.active[p] = rows.active[r]
        dest.exit_id[p] = rows.exit_id[r]
        dest.exit_time[p] = rows.exit_time[r]
        dest.passed[p] = rows.passed[r]
