"""crowdsim: crowd evacuation simulation for protecting crowded public places.

Layers, imports pointing down only: :mod:`crowdsim.venue` (geometry) →
:mod:`crowdsim.navigation` / :mod:`crowdsim.dynamics` → :mod:`crowdsim.model` →
:mod:`crowdsim.study` → :mod:`crowdsim.validation` and :mod:`crowdsim.cli`.
"""

from crowdsim.dynamics.params import SocialForceParams
from crowdsim.errors import CrowdsimError, ScenarioError, SetupError, VenueError
from crowdsim.model.evacuation import EvacuationModel
from crowdsim.model.result import RunResult
from crowdsim.model.scenario import Scenario
from crowdsim.model.scenario_io import load_scenario
from crowdsim.study import run
from crowdsim.venue import Venue, load_venue

__version__ = "0.1.0"

__all__ = [
    "CrowdsimError",
    "EvacuationModel",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "SetupError",
    "SocialForceParams",
    "Venue",
    "VenueError",
    "__version__",
    "load_scenario",
    "load_venue",
    "run",
]
