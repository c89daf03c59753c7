"""Struct-of-arrays crowd state and the stepper that owns the kernel's buffers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crowdsim.dynamics.kernel import advance
from crowdsim.dynamics.params import SocialForceParams
from crowdsim.dynamics.space import SpatialGrid


@dataclass(eq=False)
class CrowdState:
    """Per-person arrays; row i is person i for the whole run (people who leave are flagged).

    Attributes:
        pos: (n, 2) positions (m).
        vel: (n, 2) velocities (m/s).
        v0: (n,) desired speeds (m/s).
        radius: (n,) body radii (m).
        t_start: (n,) end of pre-movement: the time each person starts to move (s).
        active: (n,) True while the person is in the simulated area.
        target: (n,) target index (exits first, then shelters; −1 = none).
        exit_id: (n,) exit index a person left by (−1 while inside).
        exit_time: (n,) time the person left (s; NaN while inside).
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

    @classmethod
    def create(
        cls,
        pos: np.ndarray,
        v0: np.ndarray,
        radius: np.ndarray,
        t_start: np.ndarray | None = None,
        target: np.ndarray | None = None,
    ) -> CrowdState:
        """A crowd standing still at ``pos`` with the given attributes (all arrays are copied)."""
        n = len(pos)
        return cls(
            pos=np.array(pos, dtype=np.float64).reshape(n, 2),
            vel=np.zeros((n, 2)),
            v0=np.array(v0, dtype=np.float64),
            radius=np.array(radius, dtype=np.float64),
            t_start=np.zeros(n) if t_start is None else np.array(t_start, np.float64),
            active=np.ones(n, dtype=np.bool_),
            target=np.zeros(n, np.int64) if target is None else np.array(target, np.int64),
            exit_id=np.full(n, -1, np.int64),
            exit_time=np.full(n, np.nan),
        )

    def __len__(self) -> int:
        return int(self.pos.shape[0])

    @property
    def n_active(self) -> int:
        """People still inside."""
        return int(np.count_nonzero(self.active))


class SocialForceStepper:
    """Advances a :class:`CrowdState` with the compiled social-force kernel.

    It holds the static inputs of the kernel (segments binned on the spatial grid, navigation
    direction fields, parameters) and preallocated scratch buffers, so a call allocates nothing.

    Args:
        grid: Spatial grid with binned wall and exit segments.
        directions: (n_targets, ny, nx, 2) float32 direction fields.
        field_origin: (x, y) of the centre of the fields' first cell (m).
        field_h: Field cell size (m).
        params: Social-force parameters.
        n_agents: Number of people (rows of the state).
    """

    def __init__(
        self,
        grid: SpatialGrid,
        directions: np.ndarray,
        field_origin: tuple[float, float],
        field_h: float,
        params: SocialForceParams,
        n_agents: int,
    ) -> None:
        self.grid = grid
        self.params = params
        self._param_array = params.as_array()
        self._directions = np.ascontiguousarray(directions, dtype=np.float32)
        if self._directions.shape[0] == 0:  # the kernel needs a field even if nobody uses one
            self._directions = np.zeros((1, 2, 2, 2), np.float32)
        self._origin = (float(field_origin[0]), float(field_origin[1]))
        self._h = float(field_h)
        n_cells = grid.nx * grid.ny
        self._agent_cell = np.zeros(n_agents, np.int64)
        self._cell_start = np.zeros(n_cells + 1, np.int64)
        self._cell_fill = np.zeros(n_cells, np.int64)
        self._order = np.zeros(n_agents, np.int64)
        self._acc = np.zeros((n_agents, 5))

    def advance(self, state: CrowdState, t0: float, n_sub: int) -> int:
        """Move ``state`` forward ``n_sub`` steps of ``params.dt_s`` from time ``t0`` (s).

        Returns:
            The number of moves refused because they would have crossed a wall.
        """
        g = self.grid
        return int(
            advance(
                state.pos,
                state.vel,
                state.v0,
                state.radius,
                state.t_start,
                state.active,
                state.target,
                state.exit_id,
                state.exit_time,
                self._directions,
                self._origin[0],
                self._origin[1],
                self._h,
                g.x0,
                g.y0,
                g.cell_m,
                g.nx,
                g.ny,
                g.segments,
                g.kinds,
                g.prev,
                g.next,
                g.cell_start,
                g.cell_items,
                self._param_array,
                float(t0),
                self.params.dt_s,
                int(n_sub),
                self._agent_cell,
                self._cell_start,
                self._cell_fill,
                self._order,
                self._acc,
            )
        )
