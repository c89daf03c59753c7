"""Social-force dynamics: plain arrays in, arrays out (no Shapely, Mesa or venue files here)."""

import os
from pathlib import Path

from crowdsim.dynamics.kernel_cache import drop_stale_caches

# Before any kernel is compiled or loaded: caches built from other sources are dropped.
drop_stale_caches(Path(__file__).parent)

from crowdsim.dynamics.crowd import CrowdState, SocialForceStepper  # noqa: E402
from crowdsim.dynamics.params import SocialForceParams  # noqa: E402
from crowdsim.dynamics.space import SpatialGrid  # noqa: E402

# How numba's OpenMP threads wait between the kernel's parallel regions (read when the OpenMP
# runtime starts, at the first parallel call). Spinning without end (active waiting) was measured
# on a busy 2-core machine with the threads spinning on each other: every step 10-100 times
# slower. Sleeping at once (passive waiting) was measured on a quiet 2-vCPU virtual machine with
# every parallel region waiting tens of milliseconds for the sleeping thread to wake: a
# 4,000-person evacuation 6-10 times slower on two threads than on one. So the threads spin
# briefly (10,000 rounds, well under a millisecond) and then sleep; and the stepper runs each
# call on one thread or on all, whichever has lately been faster (dynamics.threads). Set on
# importing any module of this package; explicit settings are respected.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")
os.environ.setdefault("GOMP_SPINCOUNT", "10000")

__all__ = ["CrowdState", "SocialForceParams", "SocialForceStepper", "SpatialGrid"]
