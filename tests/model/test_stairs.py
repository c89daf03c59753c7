"""Runs of multi-level venues: people carried across stairs, flows within the stairs' limits."""

from __future__ import annotations

import numpy as np
import pedpy
import pytest

from crowdsim.model.levels import level_density_maps, split_by_level, trajectory_with_levels
from crowdsim.model.population import Population
from crowdsim.model.scenario import Scenario
from crowdsim.study import run
from crowdsim.venue import load_venue
from crowdsim.venue.levels import STAIR_SPECIFIC_FLOW
from tests.multilevel import two_corridors


def test_one_person_takes_the_level_stair_and_level_times(tmp_path):
    venue = load_venue(two_corridors(tmp_path, people=0))
    v0 = 1.34
    people = Population.at(np.array([[22.0, 2.0]]), v0=v0, radius=0.22)
    result = run(Scenario.for_venue(venue, people=people, time_limit_s=120), seed=1)
    # 8 m level, the 8 m flight at the down factor 0.7, 10 m level (RiMEA 2/3 style, ±5 %).
    expected = 8.0 / v0 + 8.0 / (0.7 * v0) + 10.0 / v0
    assert result.completed and result.per_stair == {"stair": 1}
    assert result.evacuation_time_s == pytest.approx(expected, rel=0.05)
    assert result.wall_penetrations == 0


@pytest.fixture(scope="module")
def crowd_down_a_narrow_stair(tmp_path_factory):
    """60 people upstairs (3.6 persons/m²), a 1 m stair down, recorded."""
    folder = tmp_path_factory.mktemp("stairs")
    venue = load_venue(two_corridors(folder, people=60, width_m=1.0))
    traj = folder / "run.sqlite"
    result = run(Scenario.for_venue(venue, time_limit_s=400), seed=3, trajectory=traj)
    return venue, result, traj


def test_a_crowd_evacuates_with_the_stair_flow_within_its_maximum(
    crowd_down_a_narrow_stair, tmp_path
):
    venue, result, _ = crowd_down_a_narrow_stair
    limit = STAIR_SPECIFIC_FLOW["down"] * 1.0  # IMO MSC.1/Circ.1533: 1.1 persons/(m·s) down
    assert venue.stairs[0].max_flow_p_s == pytest.approx(limit)
    assert result.completed and result.evacuated == 60 and result.per_stair == {"stair": 60}
    assert result.wall_penetrations == 0
    entries = result.stair_entries_s["stair"]
    assert len(entries) == 60 and np.all(np.diff(entries) >= 0)
    # Nobody steps onto the stair sooner than 1/limit after the one before ...
    assert np.diff(entries).min() >= 1.0 / limit - 1e-9
    # ... and the steady flow is the limit (up to rounding: a waiting crowd passes exactly at
    # it), which is what sets the pace: without it the same crowd steps onto the same stair
    # faster than the limit allows.
    assert _steady_flow(entries) <= limit * (1 + 1e-12)
    assert _steady_flow(entries) >= 0.95 * limit
    path = two_corridors(tmp_path, people=60, width_m=1.0)
    path.write_text(
        path.read_text().replace('direction = "down"', 'direction = "down"\nmax_flow_p_s = 100')
    )
    free = run(Scenario.for_venue(load_venue(path), time_limit_s=400), seed=3)
    assert _steady_flow(free.stair_entries_s["stair"]) > limit


def _steady_flow(entries: np.ndarray) -> float:
    """Flow (persons/s) over the central 80 % of the entries."""
    n = len(entries)
    lo, hi = entries[n // 10], entries[n - 1 - n // 10]
    return (n - 1 - 2 * (n // 10)) / (hi - lo)


def test_same_seed_same_multi_level_run(tmp_path):
    venue = load_venue(two_corridors(tmp_path, people=30, direction="both"))
    a = run(Scenario.for_venue(venue, time_limit_s=200), seed=5)
    b = run(Scenario.for_venue(venue, time_limit_s=200), seed=5)
    np.testing.assert_array_equal(a.exit_times_s, b.exit_times_s)
    np.testing.assert_array_equal(a.stair_entries_s["stair"], b.stair_entries_s["stair"])


def test_trajectories_carry_the_level_and_pedpy_reads_each_level(crowd_down_a_narrow_stair):
    venue, _, traj = crowd_down_a_narrow_stair
    rows = trajectory_with_levels(traj, venue)
    assert set(rows["level"]) == {"upper", "stair stair", "lower"}
    # Everybody goes upper → stair → lower, never back.
    order = {"upper": 0, "stair stair": 1, "lower": 2}
    steps = (
        rows.sort_values(["id", "frame"])
        .groupby("id")["level"]
        .agg(lambda s: np.all(np.diff(s.map(order).to_numpy()) >= 0))
    )
    assert steps.all()
    files = split_by_level(traj, venue)
    assert set(files) == {"upper", "lower", "stair stair"}
    upper = pedpy.load_trajectory_from_jupedsim_sqlite(trajectory_file=files["upper"])
    area = pedpy.load_walkable_area_from_jupedsim_sqlite(trajectory_file=files["upper"])
    assert area.polygon.bounds == (0.0, 0.0, 10.0, 4.0)  # the level's own coordinates
    xy = upper.data[["x", "y"]].to_numpy()
    assert xy[:, 0].min() >= 0.0 and xy[:, 0].max() <= 10.2 and upper.data["id"].nunique() == 60
    flight = pedpy.load_trajectory_from_jupedsim_sqlite(trajectory_file=files["stair stair"])
    assert flight.data["x"].between(-0.3, 8.3).all() and flight.data["id"].nunique() == 60


def test_density_maps_split_per_level(crowd_down_a_narrow_stair):
    venue, result, _ = crowd_down_a_narrow_stair
    maps = level_density_maps(result.density_map, venue)
    assert maps["upper"].max_pm2.shape == (4, 10) and maps["lower"].max_pm2.shape == (4, 10)
    assert (maps["upper"].x0, maps["upper"].y0) == (0.0, 0.0)
    assert maps["stair stair"].max_pm2.shape == (1, 8)  # the 1 m × 8 m flight
    # The crowd starts upstairs and queues at the stair; downstairs it walks in file.
    assert maps["upper"].max_pm2.max() > maps["lower"].max_pm2.max() > 0
