"""Doors: a lone slow person is never held by the jambs; people who leave walk on beyond."""

import dataclasses

import numpy as np
import pytest

from crowdsim.dynamics.params import SocialForceParams
from crowdsim.model.evacuation import EvacuationModel
from crowdsim.model.population import Population
from crowdsim.study import run_model
from tests.conftest import model_of, room


@pytest.mark.parametrize(("v0", "radius"), [(0.4, 0.25), (0.5, 0.35), (0.54, 0.45)])
def test_slow_person_alone_passes_a_1m_door(v0, radius):
    # Without a cap on the social wall force the jambs (A = 2000 N, B = 0.08 m) push back with
    # 40-141 N against a drive of 160·v0 N: people slower than 0.25-0.88 m/s stood for ever.
    people = Population.at(np.array([[2.0, 5.0]]), v0=v0, radius=radius)
    result = run_model(model_of(room(10, 10, 1.0), people=people, seed=1, time_limit_s=120))
    assert result.completed
    # 8 m to the door at v0: the squeeze through the door costs at most a few seconds.
    assert result.evacuation_time_s < 8.0 / v0 + 10.0
    assert result.wall_penetrations == 0


def leader_and_follower(params: SocialForceParams) -> tuple[EvacuationModel, list[float]]:
    """Two people walking east through a 2 m door; the follower's x each 0.1 s for 3 s."""
    people = Population.at(np.array([[9.75, 5.0], [9.0, 5.0]]), v0=1.2, radius=0.2)
    model = model_of(room(10, 10, 2.0), people=people, seed=1, params=params)
    model.state.vel[:] = [1.2, 0.0]
    xs = []
    for _ in range(30):
        model.step()
        xs.append(float(model.state.pos[1, 0]))
    return model, xs


def test_people_who_leave_walk_on_beyond_the_door_and_keep_their_room():
    quiet = dataclasses.replace(SocialForceParams(), fluctuation_m_s=0.0)
    model, xs = leader_and_follower(quiet)
    leader_left = model.state.exit_time[0]
    assert not model.state.active[0] and leader_left < 0.5
    # The leader walked on east beyond the door at up to v0, for run_out_s after leaving.
    walked = model.state.pos[0, 0] - 10.0
    assert 1.2 * (quiet.run_out_s - quiet.tau_s) < walked <= 1.2 * quiet.run_out_s + 0.1
    # Meanwhile the follower still kept their distance: slower than with the leader removed on
    # the door line, who then left nobody ahead.
    _, xs_removed = leader_and_follower(dataclasses.replace(quiet, run_out_s=0.0))
    assert xs[4] < xs_removed[4] - 0.01
