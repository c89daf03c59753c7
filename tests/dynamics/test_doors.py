"""A lone slow person is never held in front of a door by the jambs' social repulsion."""

import numpy as np
import pytest

from crowdsim.model.evacuation import EvacuationModel
from crowdsim.model.population import Population
from tests.conftest import room


@pytest.mark.parametrize(("v0", "radius"), [(0.4, 0.25), (0.5, 0.35), (0.54, 0.45)])
def test_slow_person_alone_passes_a_1m_door(v0, radius):
    # Without a cap on the social wall force the jambs (A = 2000 N, B = 0.08 m) push back with
    # 40-141 N against a drive of 160·v0 N: people slower than 0.25-0.88 m/s stood for ever.
    people = Population.at(np.array([[2.0, 5.0]]), v0=v0, radius=radius)
    result = EvacuationModel(room(10, 10, 1.0), people=people, seed=1, time_limit_s=120).run()
    assert result.completed
    # 8 m to the door at v0: the squeeze through the door costs at most a few seconds.
    assert result.evacuation_time_s < 8.0 / v0 + 10.0
    assert result.wall_penetrations == 0
