"""Social-force dynamics: plain arrays in, arrays out (no Shapely, Mesa or files here)."""

from crowdsim.dynamics.crowd import CrowdState, SocialForceStepper
from crowdsim.dynamics.params import SocialForceParams
from crowdsim.dynamics.space import SpatialGrid

__all__ = ["CrowdState", "SocialForceParams", "SocialForceStepper", "SpatialGrid"]
