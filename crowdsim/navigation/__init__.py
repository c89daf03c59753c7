"""Navigation: geodesic distance fields to exits and shelters, and desired directions."""

from crowdsim.navigation.field import DistanceField, compute_field
from crowdsim.navigation.grid import NavGrid
from crowdsim.navigation.navigator import Navigation, navigation_for

__all__ = ["DistanceField", "NavGrid", "Navigation", "compute_field", "navigation_for"]
