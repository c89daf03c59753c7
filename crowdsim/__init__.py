"""crowdsim: crowd evacuation simulation for protecting crowded public places.

Layers, imports pointing down only: :mod:`crowdsim.venue` (geometry) →
:mod:`crowdsim.navigation` / :mod:`crowdsim.dynamics` → :mod:`crowdsim.model` → :mod:`crowdsim.cli`.
"""

from crowdsim.dynamics.params import SocialForceParams
from crowdsim.model.evacuation import EvacuationModel
from crowdsim.model.result import RunResult
from crowdsim.model.scenario import Scenario, load_scenario
from crowdsim.venue import Venue, VenueError, load_venue

__version__ = "0.1.0"

__all__ = [
    "EvacuationModel",
    "RunResult",
    "Scenario",
    "SocialForceParams",
    "Venue",
    "VenueError",
    "__version__",
    "load_scenario",
    "load_venue",
]
