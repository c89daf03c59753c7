"""Design-flow mode: every exit passes the hydraulic method's design flow under a waiting crowd.

Criterion (SFPE Handbook of Fire Protection Engineering, hydraulic model; IMO
MSC.1/Circ.1533): a door of clear width w passes at most 1.3 persons/s per metre of effective
width, w less a boundary layer of 0.15 m at each jamb. With a crowd waiting at the door the
realised flow must be that design flow, not a share of it: within 5 %.
"""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import LineString, Polygon, box

from crowdsim.errors import ScenarioError
from crowdsim.model.design_flow import DesignFlow, exit_limits
from crowdsim.model.scenario import Scenario
from crowdsim.model.scenario_io import load_scenario
from crowdsim.study import build, run_model
from crowdsim.venue import Exit, Venue, Zone

#: The people of one run: enough for a crowd to wait at the door over the measured crossings.
PEOPLE = 60
#: Crossings measured: from the 10th to the 80th percentile, while the crowd still waits.
FIRST, LAST = 0.1, 0.8


def door_room(width_m: float, *, people: int = PEOPLE, max_flow_p_s: float | None = None) -> Venue:
    """IMO test 4's room (8 m × 5 m) whose door, 0.2 m deep and ``width_m`` wide, is the exit."""
    y0, y1 = 2.5 - width_m / 2, 2.5 + width_m / 2
    area = Polygon([(0, 0), (8, 0), (8, y0), (8.2, y0), (8.2, y1), (8, y1), (8, 5), (0, 5)])
    door = Exit("door", LineString([(8.2, y0), (8.2, y1)]), max_flow_p_s=max_flow_p_s)
    return Venue(
        name="door",
        area=area,
        exits=(door,),
        zones=(Zone("crowd", box(3, 0.3, 7.7, 4.7), people),),
    )


def steady_flow(venue: Venue, *, design: DesignFlow | None, seed: int = 1) -> tuple[float, float]:
    """Flow (persons/s) over the measured crossings, and the least time between two leaving."""
    scenario = Scenario.for_venue(venue, design_flow=design, time_limit_s=300)
    result = run_model(build(scenario, seed=seed))
    assert result.completed
    t = np.sort(result.exit_times_s)
    a, b = int(FIRST * len(t)), int(LAST * len(t))
    return (b - a) / (t[b] - t[a]), float(np.diff(t).min())


def test_effective_width_deducts_a_boundary_layer_at_each_jamb():
    design = DesignFlow()
    assert design.effective_width_m(1.2) == pytest.approx(0.9)
    assert design.max_flow_p_s(1.2) == pytest.approx(1.3 * 0.9)
    assert design.max_flow_p_s(0.25) == 0.0  # narrower than both boundary layers


@pytest.mark.parametrize("values", [{"specific_flow_pms": 0.0}, {"boundary_layer_m": -0.1}])
def test_design_flow_rejects_values_without_meaning(values):
    with pytest.raises(ValueError):
        DesignFlow(**values)


def test_exit_limits_take_the_stricter_of_the_door_and_the_design():
    venue = Venue(
        name="two doors",
        area=box(0, 0, 10, 10),
        exits=(
            Exit("strict", LineString([(10, 1), (10, 3)]), max_flow_p_s=0.5),
            Exit("loose", LineString([(10, 5), (10, 7)]), max_flow_p_s=9.0),
            Exit("open", LineString([(0, 4), (0, 6)])),
        ),
    )
    assert exit_limits(venue, None) == [0.5, 9.0, None]
    assert exit_limits(venue, DesignFlow()) == pytest.approx([0.5, 1.3 * 1.7, 1.3 * 1.7])


@pytest.mark.slow
@pytest.mark.parametrize("width_m", [0.9, 1.2, 2.0])
def test_a_waiting_crowd_passes_the_design_flow(width_m):
    design = DesignFlow()
    flow, least_gap = steady_flow(door_room(width_m), design=design)
    expected = 1.3 * (width_m - 0.3)
    assert flow == pytest.approx(expected, rel=0.05)
    # One person per headway: nobody leaves sooner after the one before.
    assert least_gap >= 1.0 / expected - 1e-9


@pytest.mark.slow
def test_a_door_limit_in_persons_per_second_still_holds_alone():
    flow, least_gap = steady_flow(door_room(1.2, people=40, max_flow_p_s=0.5), design=None)
    assert flow == pytest.approx(0.5, rel=0.05)
    assert least_gap >= 2.0 - 1e-9


@pytest.mark.slow
def test_a_stricter_door_limit_wins_over_the_design_flow():
    # 1.2 m: the design flow is 1.17 persons/s; the door's own 0.5 persons/s is stricter.
    flow, _ = steady_flow(door_room(1.2, people=40, max_flow_p_s=0.5), design=DesignFlow())
    assert flow == pytest.approx(0.5, rel=0.05)


def test_design_flow_table_of_a_scenario_file(tmp_path):
    venue = tmp_path / "room.toml"
    venue.write_text(
        'crowdsim_venue = 1\nname = "room"\n[area]\nrect = [0, 0, 10, 10]\n'
        '[[exits]]\nname = "door"\nline = [[10, 4], [10, 6]]\n'
    )
    path = tmp_path / "scenario.toml"
    head = 'crowdsim_scenario = 1\nname = "s"\nvenue = "room.toml"\n'
    path.write_text(head + "[design_flow]\nspecific_flow_pms = 1.2\n")
    scenario = load_scenario(path)
    assert scenario.design_flow == DesignFlow(specific_flow_pms=1.2, boundary_layer_m=0.15)
    path.write_text(head + "[design_flow]\nspecific_flow = 1.2\n")
    with pytest.raises(ScenarioError, match="specific_flow"):
        load_scenario(path)
    path.write_text(head)
    assert load_scenario(path).design_flow is None
