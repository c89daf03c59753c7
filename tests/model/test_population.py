import numpy as np
import pytest
import shapely
from shapely.geometry import box

from crowdsim.model.population import (
    MIN_SPACING_M,
    PopulationSpec,
    ZoneOverride,
    draw_population,
    place,
)
from tests.conftest import room


def test_people_are_placed_inside_their_zone_apart_and_clear_of_walls():
    venue = room(10, 10, 1.0, people=200, zone=(1, 1, 9, 9))
    pop = draw_population(venue, PopulationSpec(), np.random.default_rng(1))
    assert len(pop) == 200
    assert shapely.contains_xy(box(1, 1, 9, 9), pop.pos[:, 0], pop.pos[:, 1]).all()
    d = np.hypot(*(pop.pos[:, None, :] - pop.pos[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, np.inf)
    assert d.min() > 0.9 * MIN_SPACING_M
    # Default attributes: Weidmann speeds (truncated at ±2 sd), HFV radii.
    assert pop.v0.min() >= 0.82 and pop.v0.max() <= 1.86
    assert pop.radius.min() >= 0.20 and pop.radius.max() <= 0.24


def test_dense_zone_is_filled_to_five_persons_per_m2():
    pts = place(box(0, 0, 10, 10), 500, np.random.default_rng(3), source="x", feature="zone")
    assert len(pts) == 500


def test_overfull_zone_is_refused_with_its_name():
    with pytest.raises(ValueError, match=r"zone 'x'.*do not fit"):
        place(box(0, 0, 2, 2), 40, np.random.default_rng(3), source="x", feature="zone 'x'")


def test_zone_override_changes_the_count_and_unknown_zones_are_named():
    venue = room(10, 10, 1.0, people=50)
    spec = PopulationSpec(zones={"floor": ZoneOverride(people=7)})
    assert len(draw_population(venue, spec, np.random.default_rng(0))) == 7
    with pytest.raises(ValueError, match="stage"):
        draw_population(
            venue, PopulationSpec(zones={"stage": ZoneOverride(people=1)}), np.random.default_rng(0)
        )
