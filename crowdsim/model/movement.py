"""Who is still moving: a minute of position snapshots, to tell a stuck crowd from a slow one.

A run that reaches its time limit with people inside must say why. :class:`Movement` keeps a
snapshot of every position each :data:`SNAPSHOT_EVERY_S` seconds for the last
:data:`WINDOW_S` seconds; at the end, :func:`still_inside` groups the people inside by the
target they were heading for and counts those who moved more than :data:`MOVED_M` in that
minute.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

#: Span (s) over which a person counts as having moved.
WINDOW_S = 60.0
#: Interval (s) between position snapshots.
SNAPSHOT_EVERY_S = 10.0
#: Displacement (m) over the window above which a person has moved (about a stride).
MOVED_M = 0.5


@dataclass(frozen=True, kw_only=True)
class StillInside:
    """People inside at the end of a run, heading for one target.

    Attributes:
        target: Name of the exit, shelter, gate or region they were heading for ("none" if
            they had no target).
        people: How many.
        moved: How many of them moved more than :data:`MOVED_M` in the last :data:`WINDOW_S`.
        example_m: Position (x, y) of one of them (m).
    """

    target: str
    people: int
    moved: int
    example_m: tuple[float, float]


class Movement:
    """Snapshots of positions over the last minute of a run.

    Args:
        n: Number of people.
        step_s: Model step (s).
    """

    def __init__(self, n: int, step_s: float) -> None:
        self.every = max(1, round(SNAPSHOT_EVERY_S / step_s))
        self.step_s = step_s
        keep = int(np.ceil(WINDOW_S / SNAPSHOT_EVERY_S)) + 1
        self._snapshots: deque[tuple[int, np.ndarray]] = deque(maxlen=keep)
        self._n = n

    def record(self, n_steps: int, pos: np.ndarray) -> None:
        """Keep a snapshot if step ``n_steps`` falls on the snapshot interval."""
        if n_steps % self.every == 0:
            self._snapshots.append((n_steps, pos.copy()))

    def moved(self, n_steps: int, pos: np.ndarray) -> np.ndarray:
        """(n,) True for people who moved more than :data:`MOVED_M` in the last window.

        The oldest snapshot at least :data:`WINDOW_S` old is the reference (the first one if
        the run is shorter).
        """
        if not self._snapshots:
            return np.ones(self._n, np.bool_)
        window = round(WINDOW_S / self.step_s)
        old = [p for s, p in self._snapshots if n_steps - s >= window]
        ref = old[-1] if old else self._snapshots[0][1]
        return np.hypot(*(pos - ref).T) > MOVED_M


def still_inside(
    inside: np.ndarray,
    target: np.ndarray,
    names: tuple[str, ...],
    moved: np.ndarray,
    pos: np.ndarray,
) -> tuple[StillInside, ...]:
    """The people ``inside`` grouped by target, most people first.

    Args:
        inside: (n,) True for people inside at the end.
        target: (n,) target number (−1: none).
        names: Name of each target number.
        moved: (n,) who moved in the last window (:meth:`Movement.moved`).
        pos: (n, 2) positions (m).
    """
    groups = []
    for t in np.unique(target[inside]):
        who = np.flatnonzero(inside & (target == t))
        x, y = pos[who[0]]
        groups.append(
            StillInside(
                target=names[t] if t >= 0 else "none",
                people=len(who),
                moved=int(np.count_nonzero(moved[who])),
                example_m=(float(x), float(y)),
            )
        )
    return tuple(sorted(groups, key=lambda g: -g.people))
