"""Pedestrians as Mesa agents: thin views onto one row of the model's per-person columns."""

from __future__ import annotations

from typing import Protocol, cast

import mesa
import numpy as np

from crowdsim.dynamics.crowd import CrowdState
from crowdsim.model.routing import Router
from crowdsim.model.status import INSIDE, STATUS_NAMES, Status

#: States a pedestrian can be in while inside.
WAITING, MOVING = "waiting", "moving"


class _Frame(Protocol):
    """What a pedestrian view reads of its model."""

    state: CrowdState
    status: Status
    router: Router

    @property
    def time_s(self) -> float:
        """Simulated time (s)."""


class Pedestrian(mesa.Agent):
    """One person: a view onto row ``index`` of the model's columns, which hold all state.

    Agents are never stepped one by one: the compiled kernel moves everybody at once. The view
    exists for identity, inspection and (in later layers) decisions taken every few seconds.
    """

    def __init__(self, model: mesa.Model, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def _frame(self) -> _Frame:
        return cast(_Frame, self.model)

    @property
    def position(self) -> tuple[float, float]:
        """Centre (x, y) in metres."""
        x, y = self._frame.state.pos[self.index]
        return (float(x), float(y))

    @property
    def velocity(self) -> tuple[float, float]:
        """Velocity (vx, vy) in m/s."""
        vx, vy = self._frame.state.vel[self.index]
        return (float(vx), float(vy))

    @property
    def speed(self) -> float:
        """Speed in m/s."""
        return float(np.hypot(*self._frame.state.vel[self.index]))

    @property
    def desired_speed(self) -> float:
        """Desired speed v0 in m/s."""
        return float(self._frame.state.v0[self.index])

    @property
    def target(self) -> str | None:
        """Name of the exit, shelter, gate or region the person heads for."""
        t = int(self._frame.state.target[self.index])
        return self._frame.router.nav.target_names[t] if t >= 0 else None

    @property
    def state(self) -> str:
        """Where the person stands in the run.

        ``waiting`` (pre-movement, screening) or ``moving`` while inside; otherwise ``absent``
        (not arrived yet), ``evacuated``, ``sheltered`` or ``entered``.
        """
        frame = self._frame
        status = int(frame.status.code[self.index])
        if status != INSIDE:
            return STATUS_NAMES[status]
        return MOVING if frame.time_s >= frame.state.t_start[self.index] else WAITING

    @property
    def exit_time_s(self) -> float | None:
        """When the person left (s), or None while inside."""
        t = float(self._frame.state.exit_time[self.index])
        return None if np.isnan(t) else t

    def __repr__(self) -> str:
        x, y = self.position
        return (
            f"Pedestrian({self.unique_id}, {self.state}, at=({x:.2f}, {y:.2f}), to={self.target})"
        )
