"""Counter-based random numbers for the fluctuation force.

A person's random numbers in a step are a hash of the run's key, the step and the person's index
(SplitMix64), not draws from a shared generator: they do not depend on the order in which threads
visit people, so results are the same for any number of threads, and a run is reproduced from its
key alone.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np


@nb.njit(cache=True, inline="always")
def mix(z: np.uint64) -> np.uint64:
    """The SplitMix64 finaliser: a bijective scramble of 64 bits."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@nb.njit(cache=True, inline="always")
def gaussian_pair(key: np.uint64, step: int, i: int) -> tuple[float, float]:
    """Two independent standard normal numbers for person ``i`` at step ``step`` (Box–Muller)."""
    golden = np.uint64(0x9E3779B97F4A7C15)
    h = mix(key ^ mix(np.uint64(step) * golden + np.uint64(i)))
    u1 = (float(h >> np.uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)
    h2 = mix(h + golden)
    u2 = float(h2 >> np.uint64(11)) * (1.0 / 9007199254740992.0)
    r = math.sqrt(-2.0 * math.log(u1))
    return r * math.cos(2.0 * math.pi * u2), r * math.sin(2.0 * math.pi * u2)
