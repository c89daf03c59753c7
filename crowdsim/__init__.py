"""crowdsim: crowd evacuation simulation for protecting crowded public places.

Layers, imports pointing down only: :mod:`crowdsim.venue` (geometry) →
:mod:`crowdsim.navigation` / :mod:`crowdsim.dynamics` → :mod:`crowdsim.model` →
:mod:`crowdsim.study` → :mod:`crowdsim.validation` and :mod:`crowdsim.cli`
(``docs/architecture.md``).

The names below are imported on first use, so ``import crowdsim`` (and ``crowdsim --help``)
does not load the compiled kernel, Mesa or PedPy until they are needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name → module that defines it.
_EXPORTS = {
    "CrowdsimError": "crowdsim.errors",
    "ScenarioError": "crowdsim.errors",
    "SetupError": "crowdsim.errors",
    "VenueError": "crowdsim.errors",
    "SocialForceParams": "crowdsim.dynamics.params",
    "EvacuationModel": "crowdsim.model.evacuation",
    "RunResult": "crowdsim.model.result",
    "Scenario": "crowdsim.model.scenario",
    "load_scenario": "crowdsim.model.scenario_io",
    "run": "crowdsim.study",
    "Venue": "crowdsim.venue",
    "load_venue": "crowdsim.venue",
}

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

if TYPE_CHECKING:
    from crowdsim.dynamics.params import SocialForceParams
    from crowdsim.errors import CrowdsimError, ScenarioError, SetupError, VenueError
    from crowdsim.model.evacuation import EvacuationModel
    from crowdsim.model.result import RunResult
    from crowdsim.model.scenario import Scenario
    from crowdsim.model.scenario_io import load_scenario
    from crowdsim.study import run
    from crowdsim.venue import Venue, load_venue


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'crowdsim' has no attribute {name!r}")
