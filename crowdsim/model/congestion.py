"""Congestion-aware routing during a run: directions recomputed round dense crowds.

Every ``update_s`` seconds the crowd's density reshapes the directions towards the exits people
are heading for (:mod:`crowdsim.navigation.congestion`); the engine's kernel then samples the
new fields. When the static fields change (a hazard appears), the dynamic ones follow them.
"""

from __future__ import annotations

import numpy as np

from crowdsim.dynamics.crowd import CrowdState
from crowdsim.model.engine import Engine
from crowdsim.model.routing import Router
from crowdsim.navigation.congestion import CongestionFields, CongestionSettings


class CongestionRouting:
    """Keeps the kernel's directions responsive to crowding.

    Args:
        settings: Whether and how directions respond to crowding.
        router: Holds the current static fields and everybody's target.
        engine: Receives the directions.
        state: The crowd.
        step_s: Model step (s).
    """

    def __init__(
        self,
        *,
        settings: CongestionSettings,
        router: Router,
        engine: Engine,
        state: CrowdState,
        step_s: float,
    ) -> None:
        self.settings = settings
        self.router = router
        self.engine = engine
        self.state = state
        self.every = max(1, round(settings.update_s / step_s))
        self._fields: CongestionFields | None = None

    def update(self, n_steps: int) -> None:
        """Recompute the directions if step ``n_steps`` falls on the update interval."""
        if not self.settings.enabled or n_steps % self.every:
            return
        nav = self.router.nav
        if self._fields is None or self._fields.nav is not nav:
            self._fields = CongestionFields(nav, self.settings)
        s = self.state
        heading = np.unique(s.target[s.active & (s.target >= 0) & (s.target < nav.n_exits)])
        self.engine.set_directions(self._fields.update(s.pos[s.active], heading))
