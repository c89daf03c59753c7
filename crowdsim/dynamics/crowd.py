"""Struct-of-arrays crowd state, portal state, and the stepper that owns the kernel's buffers."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numba
import numpy as np

from crowdsim.dynamics.devices import check_device, require
from crowdsim.dynamics.held import NEAR_GAP_M, NEAR_PAIRS
from crowdsim.dynamics.inputs import (
    Crowd,
    Field,
    HeldPairs,
    PeopleCells,
    Portals,
    forces_from,
)
from crowdsim.dynamics.integrator import advance
from crowdsim.dynamics.params import SocialForceParams
from crowdsim.dynamics.rows import gather, scatter, sort_by_cell
from crowdsim.dynamics.space import SpatialGrid
from crowdsim.dynamics.threads import ThreadChoice

if TYPE_CHECKING:
    from crowdsim.dynamics.gpu import DeviceStep


@dataclass(eq=False)
class CrowdState:
    """Per-person arrays; row i is person i for the whole run (people who leave are flagged).

    Attributes:
        pos: (n, 2) positions (m).
        vel: (n, 2) velocities (m/s).
        v0: (n,) desired speeds (m/s).
        radius: (n,) body radii (m).
        t_start: (n,) time from which the person may walk (s): the end of pre-movement, or of
            a hold such as screening.
        active: (n,) True while the person is in the simulated area.
        target: (n,) target index (navigation field; −1 = none: the person stands).
        exit_id: (n,) exit index a person left by (−1 while inside).
        exit_time: (n,) time the person left (s; NaN while inside).
        service_time: (n,) time a screening gate holds this person (s).
        passed: (n,) last gate (portal index) the person passed (−1: none).
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

    @classmethod
    def create(
        cls,
        *,
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
            service_time=np.zeros(n),
            passed=np.full(n, -1, np.int64),
        )

    def __len__(self) -> int:
        return int(self.pos.shape[0])

    @property
    def n_active(self) -> int:
        """People still inside."""
        return int(np.count_nonzero(self.active))

    def kernel_view(
        self, *, person: np.ndarray | None = None, row_of: np.ndarray | None = None
    ) -> Crowd:
        """The arrays (not copies) as the kernel reads them.

        Args:
            person: (n,) int64 the person in each row; default row i holds person i.
            row_of: (n,) int64 the row of each person, the inverse of ``person``.
        """
        if person is None or row_of is None:
            person = row_of = np.arange(len(self), dtype=np.int64)
        return Crowd(
            pos=self.pos,
            vel=self.vel,
            v0=self.v0,
            radius=self.radius,
            t_start=self.t_start,
            active=self.active,
            target=self.target,
            exit_id=self.exit_id,
            exit_time=self.exit_time,
            service_time=self.service_time,
            passed=self.passed,
            person=person,
            row_of=row_of,
        )


@dataclass(eq=False)
class PortalState:
    """Exits (first) and screening gates (after them) that people pass one at a time.

    Attributes:
        open: (n,) False: the portal is shut and acts as a wall (a closed exit, a locked gate).
        free_at: (n,) time from which the portal admits the next person (s); until then a
            busy gate is a wall, and a busy exit holds the next person at its line.
        headway_s: (n,) least time between two people through an exit (s); 0 for no limit.
        is_gate: (n,) True for screening gates (people pass and are held for their service
            time), False for exits (people leave).
    """

    open: np.ndarray
    free_at: np.ndarray
    headway_s: np.ndarray
    is_gate: np.ndarray

    @classmethod
    def create(
        cls, *, n_exits: int, n_gates: int = 0, headway_s: np.ndarray | None = None
    ) -> PortalState:
        """All open and free; exits without flow limit unless ``headway_s`` says otherwise."""
        n = n_exits + n_gates
        headway = np.zeros(n)
        if headway_s is not None:
            headway[:n_exits] = headway_s
        return cls(
            open=np.ones(n, np.bool_),
            free_at=np.full(n, -np.inf),
            headway_s=headway,
            is_gate=np.arange(n) >= n_exits,
        )

    def kernel_view(self) -> Portals:
        """The arrays (not copies) as the kernel reads them."""
        return Portals(
            open=self.open, free_at=self.free_at, headway_s=self.headway_s, is_gate=self.is_gate
        )


class SocialForceStepper:
    """Advances a :class:`CrowdState` with the compiled social-force kernel.

    It holds the static inputs of the kernel (segments binned on the spatial grid, navigation
    direction fields, the speed-factor grid, parameters) and preallocated scratch buffers, so a
    call allocates nothing. Each call runs the kernel on a copy of the crowd sorted by cell
    (:mod:`crowdsim.dynamics.rows`), with the same results as on the rows in the state's order.

    Args:
        grid: Spatial grid with binned wall and portal segments.
        directions: (n_targets, ny, nx, 2) float32 direction fields.
        field_origin: (x, y) of the centre of the fields' first cell (m).
        field_h: Field cell size (m).
        params: Social-force parameters.
        n_agents: Number of people (rows of the state).
        speed_factor: (ny, nx) share of the desired speed on each field cell (1 = level floor);
            default everywhere 1.
        portals: Portal state; default: every portal of ``grid`` an open exit without limit.
        noise_key: Key of the fluctuation force's random numbers (a run's seed draws it).
        clear_width: (ny, nx) clear width (m) of the passage at each field cell, where people
            turn their shoulders; default: open floor everywhere.
        device: Where the kernel runs (:data:`~crowdsim.dynamics.devices.DEVICES`):
            ``"cuda"`` runs it on an NVIDIA GPU (:mod:`crowdsim.dynamics.gpu`, the ``gpu``
            extra), to the same physics.

    Raises:
        ValueError: If ``device`` is not one of :data:`DEVICES`.
        DeviceUnavailable: If ``device`` is ``"cuda"`` and this machine has no usable GPU.
    """

    def __init__(
        self,
        *,
        grid: SpatialGrid,
        directions: np.ndarray,
        field_origin: tuple[float, float],
        field_h: float,
        params: SocialForceParams,
        n_agents: int,
        speed_factor: np.ndarray | None = None,
        portals: PortalState | None = None,
        noise_key: int = 0,
        clear_width: np.ndarray | None = None,
        device: str = "cpu",
    ) -> None:
        check_device(device)
        self.grid = grid
        self._key = np.uint64(noise_key)
        self.params = params
        n_portals = int(grid.kinds.max()) + 1 if len(grid.kinds) else 0
        self.portals = portals or PortalState.create(n_exits=n_portals)
        directions = np.ascontiguousarray(directions, dtype=np.float32)
        if directions.shape[0] == 0:  # the kernel needs a field even if nobody uses one
            directions = np.zeros((1, 2, 2, 2), np.float32)
        factor = (
            np.ones(directions.shape[1:3], np.float32) if speed_factor is None else speed_factor
        )
        self._field = Field(
            directions=directions,
            speed_factor=np.ascontiguousarray(factor, dtype=np.float32),
            centre_x0=float(field_origin[0]),
            centre_y0=float(field_origin[1]),
            h_m=float(field_h),
            hazards=np.zeros((0, 3)),
            clear_width=np.ascontiguousarray(
                np.full(directions.shape[1:3], np.inf) if clear_width is None else clear_width,
                dtype=np.float32,
            ),
        )
        self._walls = grid.kernel_view()
        self._cells = PeopleCells.allocate(n_agents, grid.nx * grid.ny)
        self._forces = forces_from(params)
        self._acc = np.zeros((n_agents, 5))
        self._pending = np.zeros((n_agents, 2))
        self._crossing = np.full(n_agents, -1, np.int64)
        self._threads = ThreadChoice()
        self._every = params.social_steps
        self._held = HeldPairs.allocate(n_agents, NEAR_PAIRS)
        self._rows = CrowdState.create(
            pos=np.zeros((n_agents, 2)), v0=np.zeros(n_agents), radius=np.zeros(n_agents)
        )
        self._identity = np.arange(n_agents, dtype=np.int64)
        self._person = self._identity.copy()
        self._row_of = self._identity.copy()
        self._sort_count = np.zeros(grid.nx * grid.ny + 1, np.int64)
        self._device: DeviceStep | None = None
        if device == "cuda":
            require(device)
            from crowdsim.dynamics.gpu import DeviceStep  # the gpu extra, only when asked for

            self._device = DeviceStep(
                field=self._field,
                walls=self._walls,
                forces=self._forces,
                n_people=n_agents,
                near_pairs=NEAR_PAIRS,
            )

    def set_directions(self, directions: np.ndarray) -> None:
        """Replace the direction fields (same grid and targets), e.g. after a hazard appears."""
        self._field = self._field._replace(
            directions=np.ascontiguousarray(directions, dtype=np.float32)
        )
        if self._device is not None:
            self._device.set_field(self._field)

    def set_hazards(self, hazards: np.ndarray) -> None:
        """Hazard circles (k, 3): x, y, radius (m). People never step in; those inside leave."""
        hz = np.ascontiguousarray(np.asarray(hazards, np.float64).reshape(-1, 3))
        self._field = self._field._replace(hazards=hz)
        if self._device is not None:
            self._device.set_field(self._field)

    def advance(self, state: CrowdState, t0: float, n_sub: int) -> int:
        """Move ``state`` forward ``n_sub`` steps of ``params.dt_s`` from time ``t0`` (s).

        Results do not depend on the number of threads: the call runs on one or on all that
        numba may use, whichever has lately been faster (:class:`ThreadChoice`).

        Returns:
            The number of moves refused because they would have crossed a wall or busy portal.
        """
        before = numba.get_num_threads()
        people = state.n_active
        numba.set_num_threads(self._threads.pick(people, before))
        start = time.perf_counter()
        try:
            return self._advance(state, t0, n_sub)
        finally:
            self._threads.record(time.perf_counter() - start, people * n_sub)
            numba.set_num_threads(before)

    def _advance(self, state: CrowdState, t0: float, n_sub: int) -> int:
        sort_by_cell(state.pos, self._walls, self._sort_count, self._person, self._row_of)
        own = state.kernel_view(person=self._identity, row_of=self._identity)
        rows = self._rows.kernel_view(person=self._person, row_of=self._row_of)
        gather(own, rows)
        if self._device is not None:
            blocked = self._device.advance(
                rows,
                self.portals.kernel_view(),
                t0=float(t0),
                dt=self.params.dt_s,
                n_sub=int(n_sub),
                key=self._key,
                every=self._every,
                near_gap_m=self._near_gap(state),
            )
            scatter(rows, own)
            return blocked
        blocked = int(
            advance(
                rows,
                self._field,
                self._walls,
                self._cells,
                self.portals.kernel_view(),
                self._forces,
                float(t0),
                self.params.dt_s,
                int(n_sub),
                self._key,
                self._acc,
                self._pending,
                self._crossing,
                self._every,
                self._held._replace(near_gap_m=self._near_gap(state)),
            )
        )
        scatter(rows, own)
        return blocked

    def _near_gap(self, state: CrowdState) -> float:
        """Gap (m) under which pairs are evaluated every step, not held between refreshes.

        It is :data:`~crowdsim.dynamics.held.NEAR_GAP_M` plus what two people can close
        before the next refresh (``every`` moves of each at the speed cap), so that no pair
        held at a refresh can touch before the next.
        """
        if not len(state):
            return NEAR_GAP_M
        p = self.params
        floor = max(float(self._field.speed_factor.max()), 1.0)
        max_move = p.speed_cap_factor * float(state.v0.max()) * floor * p.dt_s
        return NEAR_GAP_M + 2.0 * max_move * self._every
