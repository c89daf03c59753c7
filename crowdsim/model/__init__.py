"""The evacuation model: Mesa frame, pedestrian views, populations, scenarios, results."""

from crowdsim.model.distributions import Distribution
from crowdsim.model.evacuation import EvacuationModel
from crowdsim.model.population import Population, PopulationSpec, ZoneOverride
from crowdsim.model.result import RunResult
from crowdsim.model.scenario import Scenario
from crowdsim.model.scenario_io import load_scenario
from crowdsim.model.trajectory import (
    ParquetTrajectoryWriter,
    TrajectoryRecorder,
    TrajectoryWriter,
    open_trajectory,
    parquet_to_sqlite,
)

__all__ = [
    "Distribution",
    "EvacuationModel",
    "ParquetTrajectoryWriter",
    "Population",
    "PopulationSpec",
    "RunResult",
    "Scenario",
    "TrajectoryRecorder",
    "TrajectoryWriter",
    "ZoneOverride",
    "load_scenario",
    "open_trajectory",
    "parquet_to_sqlite",
]
