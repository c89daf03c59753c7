"""Pedestrians as Mesa agents: thin views onto one row of the model's crowd arrays."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from crowdsim.model.evacuation import EvacuationModel

#: States a pedestrian can be in while inside.
WAITING, MOVING = "waiting", "moving"


class Pedestrian(mesa.Agent):
    """One person: a view onto row ``index`` of ``model.state``, which holds all physical state.

    Agents are never stepped one by one: the compiled kernel moves everybody at once. The view
    exists for identity, inspection and (in later layers) decisions taken every few seconds.
    """

    model: EvacuationModel

    def __init__(self, model: EvacuationModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def position(self) -> tuple[float, float]:
        """Centre (x, y) in metres."""
        x, y = self.model.state.pos[self.index]
        return (float(x), float(y))

    @property
    def velocity(self) -> tuple[float, float]:
        """Velocity (vx, vy) in m/s."""
        vx, vy = self.model.state.vel[self.index]
        return (float(vx), float(vy))

    @property
    def speed(self) -> float:
        """Speed in m/s."""
        return float(np.hypot(*self.model.state.vel[self.index]))

    @property
    def desired_speed(self) -> float:
        """Desired speed v0 in m/s."""
        return float(self.model.state.v0[self.index])

    @property
    def target(self) -> str | None:
        """Name of the exit or shelter the person heads for."""
        t = int(self.model.state.target[self.index])
        return self.model.navigation.target_names[t] if t >= 0 else None

    @property
    def state(self) -> str:
        """Where the person stands in the run.

        ``waiting`` (pre-movement, screening) or ``moving`` while inside; otherwise ``absent``
        (not arrived yet), ``evacuated``, ``sheltered`` or ``entered``.
        """
        from crowdsim.model.evacuation import INSIDE, STATUS_NAMES

        status = int(self.model.status[self.index])
        if status != INSIDE:
            return STATUS_NAMES[status]
        return MOVING if self.model.time_s >= self.model.state.t_start[self.index] else WAITING

    @property
    def exit_time_s(self) -> float | None:
        """When the person left (s), or None while inside."""
        t = float(self.model.state.exit_time[self.index])
        return None if np.isnan(t) else t

    def __repr__(self) -> str:
        x, y = self.position
        return (
            f"Pedestrian({self.unique_id}, {self.state}, at=({x:.2f}, {y:.2f}), to={self.target})"
        )
