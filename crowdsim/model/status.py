"""Where each person stands in a run: absent, inside, or safe (evacuated, sheltered, entered).

:class:`Status` owns two per-person columns, the status code and the time the person became
safe. Every process that makes somebody safe (exits in the kernel, shelters, ingress) marks it
here, so "who is safe" has one answer for completion, progress bars and results alike.
"""

from __future__ import annotations

import numpy as np

#: Person status codes; EVACUATED and those after it are safe.
ABSENT, INSIDE, EVACUATED, SHELTERED, ENTERED = range(5)
#: Name of each status code, as results report it.
STATUS_NAMES = ("absent", "inside", "evacuated", "sheltered", "entered")


class Status:
    """Status code and time of safety of every person.

    Args:
        inside: (n,) True for people inside at the start; the others have not arrived yet.

    Attributes:
        code: (n,) int8 status code (:data:`ABSENT` ... :data:`ENTERED`).
        safe_time_s: (n,) time the person became safe (s; NaN while not).
    """

    def __init__(self, inside: np.ndarray) -> None:
        self.code = np.where(inside, INSIDE, ABSENT).astype(np.int8)
        self.safe_time_s = np.full(len(inside), np.nan)

    def __len__(self) -> int:
        return len(self.code)

    @property
    def safe(self) -> np.ndarray:
        """(n,) True for everybody who is safe: evacuated, sheltered or entered."""
        return self.code >= EVACUATED

    @property
    def all_safe(self) -> bool:
        """True once everybody is safe."""
        return bool(self.safe.all())

    def count(self, code: int) -> int:
        """People with status ``code``."""
        return int(np.count_nonzero(self.code == code))

    def arrive(self, who: np.ndarray) -> None:
        """People ``who`` (indices) appear inside (ingress arrivals)."""
        self.code[who] = INSIDE

    def mark(self, who: np.ndarray, code: int, time_s: float | np.ndarray) -> None:
        """People ``who`` (indices or mask) reach safety ``code`` at ``time_s`` (s)."""
        self.code[who] = code
        self.safe_time_s[who] = time_s

    def names(self) -> np.ndarray:
        """(n,) status names (object array)."""
        return np.array(STATUS_NAMES, dtype=object)[self.code]
