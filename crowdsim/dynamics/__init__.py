"""Social-force dynamics: plain arrays in, arrays out (no Shapely, Mesa or files here)."""

import os

from crowdsim.dynamics.crowd import CrowdState, SocialForceStepper
from crowdsim.dynamics.params import SocialForceParams
from crowdsim.dynamics.space import SpatialGrid

# With OpenMP's default (active) waiting, numba's threads were measured spinning on each other on
# a busy 2-core machine: every step 10-100 times slower, for the whole process. Passive waiting
# (read when the OpenMP runtime starts, at the first parallel call of forces.accelerations or
# integrator._move) avoids it at no cost here: 4,000 people took 9 ms per 0.1 s step instead of
# 147 ms. Set on importing any module of this package; an explicit setting is respected.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

__all__ = ["CrowdState", "SocialForceParams", "SocialForceStepper", "SpatialGrid"]
