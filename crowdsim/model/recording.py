"""Recording a run into a trajectory file while it goes on: frames, then one row per person."""

from __future__ import annotations

import numpy as np

from crowdsim.dynamics.crowd import CrowdState
from crowdsim.model.population import Population
from crowdsim.model.trajectory import TrajectoryRecorder
from crowdsim.venue import Venue


class Recording:
    """Hands frames of the crowd to a trajectory writer at its frame rate.

    Args:
        writer: The open trajectory file (None: nothing is recorded).
        step_s: Model step (s); a frame is written every ``1 / (fps · step_s)`` steps.
    """

    def __init__(self, writer: TrajectoryRecorder | None, step_s: float) -> None:
        self.writer = writer
        self.every = 1 if writer is None else max(1, round(1.0 / (writer.fps * step_s)))

    def frame(self, n_steps: int, state: CrowdState) -> None:
        """Write the people inside as a frame if step ``n_steps`` falls on the frame rate."""
        if self.writer is None or n_steps % self.every:
            return
        ids = np.flatnonzero(state.active)
        self.writer.write_frame(n_steps // self.every, ids, state.pos[ids], state.vel[ids])

    def people(self, venue: Venue, people: Population, state: CrowdState) -> None:
        """Write each person's origin, body, start and exit at the end of the run."""
        if self.writer is None:
            return
        names = venue.exit_names
        rows = [
            (
                i,
                origin(venue, people, i),
                float(state.v0[i]),
                float(state.radius[i]),
                float(state.t_start[i]),
                names[state.exit_id[i]] if state.exit_id[i] >= 0 else None,
                None if np.isnan(state.exit_time[i]) else float(state.exit_time[i]),
            )
            for i in range(len(state))
        ]
        self.writer.write_agents(rows)


def origin(venue: Venue, people: Population, i: int) -> str:
    """Where person ``i`` came from, in words: their start zone, or placed by hand."""
    k = int(people.zone[i])
    return f"zone {venue.zones[k].name!r}" if k >= 0 else "people placed by hand"
