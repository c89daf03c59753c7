"""Run identity: equal runs share a key; a change of scenario, layout, seed or version does not."""

import dataclasses
import pickle

import numpy as np
import pytest
from shapely.geometry import box

from crowdsim.dynamics.params import SocialForceParams
from crowdsim.errors import ScenarioError, VenueError
from crowdsim.study import RunSpec, identity, replications, run_key
from crowdsim.study.identity import canonical, fingerprint
from crowdsim.study.plan import unique
from crowdsim.venue import Layout, Obstacle
from tests.study.conftest import small_room


def test_the_same_run_has_the_same_key_in_any_process():
    scenario = small_room()
    key = run_key(scenario, seed=3)
    assert key == run_key(small_room(), seed=3)  # built again from scratch
    assert key == run_key(pickle.loads(pickle.dumps(scenario)), seed=3)
    assert len(key) == identity.KEY_DIGITS and int(key, 16) >= 0


def test_seed_layout_parameters_and_version_change_the_key(monkeypatch):
    scenario = small_room()
    key = run_key(scenario, seed=3)
    assert run_key(scenario, seed=4) != key
    assert run_key(scenario, seed=3, layout="pillar") != key
    assert run_key(scenario, seed=3, layout="base") != key
    faster = scenario.with_overrides(params=SocialForceParams(tau_s=0.5))
    assert run_key(faster, seed=3) != key
    assert run_key(scenario.with_overrides(time_limit_s=121.0), seed=3) != key
    monkeypatch.setattr(identity, "crowdsim_version", lambda: "99.0")
    assert run_key(scenario, seed=3) != key


def test_where_files_came_from_and_other_layouts_are_no_part_of_the_run():
    scenario = small_room()
    key = run_key(scenario, seed=1, layout="pillar")
    moved = scenario.with_overrides(
        source="elsewhere/study.toml",
        venue=dataclasses.replace(scenario.venue, source="elsewhere/room.toml"),
    )
    assert run_key(moved, seed=1, layout="pillar") == key
    more = dict(scenario.venue.layouts)
    fence = Obstacle("fence", "fence", box(2, 0, 2.2, 0.5))
    more["fence"] = Layout("fence", add_obstacles=(fence,))
    grown = scenario.with_overrides(venue=dataclasses.replace(scenario.venue, layouts=more))
    assert run_key(grown, seed=1, layout="pillar") == key
    # the scenario's default layout and seed do not matter when the run names its own
    assert run_key(scenario.with_overrides(layout="pillar", seed=9), seed=1, layout="pillar") == key


def test_canonical_form_tells_values_apart_exactly():
    assert canonical(1.0) == canonical(1)
    assert canonical(0.1) != canonical(float(np.nextafter(0.1, 1.0)))
    assert fingerprint({"a": 1, "b": 2}) == fingerprint({"b": 2, "a": 1})
    assert fingerprint(np.arange(3.0)) != fingerprint(np.arange(3.0).astype(np.float32))
    assert fingerprint(float("nan")) == fingerprint(float("nan"))
    assert fingerprint(box(0, 0, 1, 1)) == fingerprint(box(1, 1, 0, 0))  # same polygon
    with pytest.raises(TypeError, match="cannot fingerprint"):
        canonical(object())


def test_replications_label_runs_and_unique_drops_repeats():
    specs = replications(small_room(), seeds=[5, 6, 7], labels={"study": "s"}, first_run=10)
    assert [s.labels for s in specs] == [{"study": "s", "run": k} for k in (10, 11, 12)]
    assert [s.seed for s in specs] == [5, 6, 7] and len({s.key for s in specs}) == 3
    assert unique(specs + specs[:1]) == specs


def test_bad_seeds_and_layouts_are_one_line_errors():
    with pytest.raises(ScenarioError, match="seed: must be a whole number"):
        RunSpec.of(small_room(), seed=-1)
    with pytest.raises(VenueError, match="unknown layout"):
        replications(small_room(), seeds=[1], layout="nope")
