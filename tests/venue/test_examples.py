"""The example venues in venues/ load, validate, and every layout applies."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely

from crowdsim.venue import BASE_LAYOUT, Venue, load_venue

VENUES = Path(__file__).resolve().parents[2] / "venues"
EXAMPLES = sorted(VENUES.glob("*.toml"))


def _load(name: str) -> Venue:
    return load_venue(VENUES / name)


def test_examples_exist() -> None:
    assert {p.name for p in EXAMPLES} >= {
        "rimea_test1_corridor.toml",
        "concert_hall.toml",
        "outdoor_event.toml",
    }


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_and_each_layout_validate(path: Path) -> None:
    venue = load_venue(path)
    assert venue.description
    for name in [BASE_LAYOUT, *venue.layouts]:
        variant = load_venue(path, layout=name)
        assert variant.layout == name
        assert variant.exits or variant.shelters
        assert variant.total_people == venue.total_people


def test_rimea_test1_corridor() -> None:
    venue = _load("rimea_test1_corridor.toml")
    assert venue.bounds == (0.0, 0.0, 40.0, 2.0)
    assert venue.total_people == 1
    assert venue.exit("end").width_m == pytest.approx(2.0)
    assert venue.exit("end").line.coords[0][0] == pytest.approx(40.0)


def test_concert_hall() -> None:
    venue = _load("concert_hall.toml")
    assert 1000 <= venue.total_people <= 1500
    assert len(venue.exits) >= 3
    kinds = [o.kind for o in venue.obstacles]
    assert {"stage", "bar"} <= set(kinds)
    assert 4 <= kinds.count("column") <= 6
    assert venue.shelters
    assert {"side_exit_closed", "crowd_barrier", "no_bar"} <= set(venue.layouts)
    assert len(venue.with_layout("side_exit_closed").exits) == len(venue.exits) - 1
    barrier = venue.with_layout("crowd_barrier").obstacles[-1]
    assert barrier.kind == "barrier"
    assert "bar" not in [o.name for o in venue.with_layout("no_bar").obstacles]


def test_outdoor_event() -> None:
    venue = _load("outdoor_event.toml")
    assert 1800 <= venue.total_people <= 2200
    assert 3 <= len(venue.exits) <= 4
    assert all(3.0 <= e.width_m <= 6.0 for e in venue.exits)
    hvm = venue.with_layout("hvm_bollards")
    bollards = next(o for o in hvm.obstacles if o.kind == "bollard")
    posts = sorted(shapely.get_parts(bollards.geometry), key=lambda b: b.centroid.x)
    assert len(posts) == 11
    assert posts[0].distance(posts[1]) == pytest.approx(1.2, abs=2e-3)
    closed = venue.with_layout("main_gate_closed")
    assert "main gate" not in closed.exit_names


def test_example_in_the_format_reference_loads(tmp_path: Path) -> None:
    doc = (VENUES.parent / "docs" / "venue-format.md").read_text(encoding="utf-8")
    example = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "hall.toml"
    path.write_text(example, encoding="utf-8")
    venue = load_venue(path)
    assert venue.total_people == 60 + round(1.5 * 49)
    for name in venue.layouts:
        assert load_venue(path, layout=name).layout == name


def test_every_example_in_the_format_reference_loads(tmp_path: Path) -> None:
    from crowdsim.venue.imports import read_settings

    doc = (VENUES.parent / "docs" / "venue-format.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in doc.split("```toml\n")[1:]]
    assert len(blocks) >= 3
    for k, block in enumerate(blocks):
        path = tmp_path / f"example_{k}.toml"
        path.write_text(block, encoding="utf-8")
        if block.startswith("crowdsim_import"):
            assert read_settings(path).layers  # the mapping file example
        else:
            assert load_venue(path).name


def test_scenario_format_example_loads_with_the_defaults(tmp_path: Path) -> None:
    from crowdsim.dynamics.params import SocialForceParams
    from crowdsim.model.scenario_io import load_scenario

    doc = (VENUES.parent / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    example = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    venue = (VENUES / "concert_hall.toml").as_posix()
    path = tmp_path / "run.toml"
    path.write_text(example.replace("../../venues/concert_hall.toml", venue), encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.params == SocialForceParams()  # the physics is left at its defaults
    assert scenario.population.scale == 1.2
