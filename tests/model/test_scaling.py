"""Scenarios scale every zone or set the total occupancy."""

from __future__ import annotations

import pytest
from shapely.geometry import LineString, box

from crowdsim.errors import ScenarioError
from crowdsim.model.population import PopulationSpec, ZoneOverride
from crowdsim.model.scenario_io import load_scenario
from crowdsim.venue import Exit, Venue, Zone


def _venue() -> Venue:
    return Venue(
        name="three rooms",
        area=box(0, 0, 30, 10),
        exits=(Exit("door", LineString([(30, 4), (30, 6)])),),
        zones=(
            Zone("a", box(1, 1, 9, 9), 100),
            Zone("b", box(11, 1, 19, 9), 50),
            Zone("c", box(21, 1, 29, 9), 25),
        ),
    )


def test_scale_multiplies_every_zone_and_keeps_the_rounded_total():
    venue = _venue()
    assert PopulationSpec(scale=1.5).zone_counts(venue.zones) == [150, 75, 38]
    counts = PopulationSpec(scale=0.33).zone_counts(venue.zones)
    assert sum(counts) == 58 and counts == [33, 17, 8]  # 57.75 people, rounded


def test_total_shares_the_occupancy_in_proportion_after_overrides():
    venue = _venue()
    spec = PopulationSpec(total=1000, zones={"c": ZoneOverride(people=50)})
    counts = spec.zone_counts(venue.zones)
    assert sum(counts) == 1000 and counts == [500, 250, 250]


def test_total_over_empty_zones_goes_by_area():
    venue = _venue()
    spec = PopulationSpec(
        total=90, zones={name: ZoneOverride(people=0) for name in ("a", "b", "c")}
    )
    assert spec.zone_counts(venue.zones) == [30, 30, 30]


def test_scale_and_total_together_are_refused():
    with pytest.raises(ValueError, match="scale or total, not both"):
        PopulationSpec(scale=2.0, total=10)


def _scenario(tmp_path, population: str):
    venue = tmp_path / "room.toml"
    venue.write_text(
        'crowdsim_venue = 1\nname = "Room"\n[area]\nrect = [0, 0, 10, 8]\n'
        '[[exits]]\nname = "door"\nline = [[10, 3], [10, 5]]\n'
        '[[zones]]\nname = "floor"\nrect = [1, 1, 6, 7]\npeople = 20\n'
    )
    path = tmp_path / "run.toml"
    path.write_text(f'crowdsim_scenario = 1\nvenue = "room.toml"\n[population]\n{population}\n')
    return path


def test_scenario_files_scale_and_refuse_more_than_a_zone_holds(tmp_path):
    spec = load_scenario(_scenario(tmp_path, "scale = 2.5")).population
    assert spec.scale == 2.5
    with pytest.raises(ScenarioError) as info:
        load_scenario(_scenario(tmp_path, "total = 200"))
    assert str(info.value).endswith(
        "[population]: total = 200 puts 200 people in zone 'floor', more than its floor holds "
        "(at most 162 at 5.4 persons/m² on 30 m²); lower it"
    )
    with pytest.raises(ScenarioError, match=r"give scale .* or total .*, not both"):
        load_scenario(_scenario(tmp_path, "scale = 2\ntotal = 10"))
