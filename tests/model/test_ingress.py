"""Ingress through screening lanes: physical queues, service times, throughput, waits."""

import numpy as np
import pytest
from shapely.geometry import LineString, box

from crowdsim.model.distributions import Distribution
from crowdsim.model.ingress import Arrivals, IngressSpec
from crowdsim.study import run_model
from crowdsim.venue import Exit, Gate, Obstacle, Region, Venue
from tests.conftest import model_of

LANES_X = (4.0, 9.5, 15.0)  # left edge of each 1 m lane


def checkpoint(lanes=LANES_X) -> Venue:
    """Forecourt (y < 13) | security line with 1 m lanes (y 14..17) | arena (y > 18)."""
    edges = [0.0, *[x for x0 in lanes for x in (x0, x0 + 1.0)], 20.0]
    fences = tuple(
        Obstacle(f"fence {k}", "fence", box(edges[2 * k], 14.0, edges[2 * k + 1], 17.0))
        for k in range(len(lanes) + 1)
    )
    gates = tuple(
        Gate(f"lane {k + 1}", "main", LineString([(x, 15.5), (x + 1.0, 15.5)]), (x + 0.5, 20.0))
        for k, x in enumerate(lanes)
    )
    return Venue(
        name="checkpoint",
        area=box(0, 0, 20, 30),
        obstacles=fences,
        exits=(Exit("arena exit", LineString([(20, 25), (20, 27)])),),
        regions=(
            Region("forecourt", box(0, 0, 20, 12), ("unprotected",)),
            Region("arena", box(0, 19, 20, 30)),
            Region("secondary", box(0, 18.5, 3, 21)),
        ),
        gates=gates,
    )


@pytest.mark.slow
def test_saturated_lanes_pass_c_over_mean_service_time():
    # 3 walk-through metal detectors, 5-7 s each (mean 6 s): 0.5 persons/s when saturated.
    spec = IngressSpec(
        arrivals=(Arrivals("forecourt", total=400, start_s=0.0, end_s=20.0),),
        destination="arena",
    )
    model = model_of(checkpoint(), ingress=spec, seed=1, time_limit_s=330)
    result = run_model(model)
    s = model.state
    passed = s.passed >= 0
    start = s.t_start[passed] - s.service_time[passed]
    window = (60.0, 300.0)  # queues are long throughout
    count = np.count_nonzero((start >= window[0]) & (start < window[1]))
    rate = count / (window[1] - window[0])
    assert rate == pytest.approx(3 / 6.0, rel=0.05)
    # The queues really were standing in front of the lanes all that time.
    ts = result.timeseries
    busy = ts[(ts.time_s >= window[0]) & (ts.time_s <= window[1])]
    assert busy["queue:main"].min() > 3 * 5


def test_everybody_enters_and_waits_are_measured():
    spec = IngressSpec(
        arrivals=(Arrivals("forecourt", total=60, start_s=0.0, end_s=60.0),),
        destination="arena",
        service={"wtmd": Distribution.fixed(3.0)},
    )
    result = run_model(model_of(checkpoint(), ingress=spec, seed=2, time_limit_s=400))
    assert result.completed and result.entered == 60
    assert len(result.waits_s) == 60
    # Each lane serves one person per 3 s: nobody waits longer than everybody ahead of them
    # in all three lanes would take.
    assert result.waits_s.max() <= 3.0 * 60 / 3
    assert result.wall_penetrations == 0


def test_arrivals_with_an_exit_choice_still_follow_their_ingress_route():
    # A group's exit choice (here quickest) is for evacuating; arrivals head for the lanes.
    from crowdsim.model.population import Group, PopulationSpec

    spec = IngressSpec(
        arrivals=(Arrivals("forecourt", total=50, start_s=0.0, end_s=20.0),),
        destination="arena",
    )
    population = PopulationSpec(groups=(Group(choice="quickest"),))
    result = run_model(
        model_of(checkpoint(), ingress=spec, population=population, seed=1, time_limit_s=300)
    )
    assert result.entered == 50 and result.evacuated == 0


def test_secondary_search_holds_the_selected_share():
    spec = IngressSpec(
        arrivals=(Arrivals("forecourt", total=40, start_s=0.0, end_s=40.0),),
        destination="arena",
        service={"wtmd": Distribution.fixed(2.0)},
        secondary_share=0.25,
        secondary_region="secondary",
        secondary_s=Distribution.fixed(30.0),
    )
    model = model_of(checkpoint(), ingress=spec, seed=3, time_limit_s=400)
    result = run_model(model)
    assert result.entered == 40
    chosen = model.ingress.secondary_search
    assert 4 <= chosen.sum() <= 16
    took = result.time_to_safety_s - model.ingress.arrival_time_s
    assert took[chosen].min() > 30.0 > np.median(took[~chosen])


def test_crowding_in_the_unprotected_forecourt_is_measured():
    spec = IngressSpec(
        arrivals=(Arrivals("forecourt", total=500, start_s=0.0, end_s=10.0),),
        destination="arena",
    )
    result = run_model(model_of(checkpoint(), ingress=spec, seed=4, time_limit_s=120))
    c = result.crowding
    assert c["unprotected_max_density_pm2"] > 2.0
    assert c["unprotected_person_s_above_2pm2"] > 0
    assert c["unprotected_person_s_above_2pm2"] <= c["person_s_above_2pm2"]
    assert sum(c["los_person_s"].values()) > 0


@pytest.mark.parametrize(
    ("arrivals", "destination", "secondary", "message"),
    [
        ("plaza", "arena", None, "ingress entry: 'plaza' is not a region of the venue"),
        ("forecourt", "pitch", None, "ingress destination: 'pitch' is not a region"),
        ("forecourt", "arena", "tent", "secondary-search region: 'tent' is not a region"),
    ],
)
def test_ingress_naming_a_missing_region_is_refused_with_the_regions_listed(
    arrivals, destination, secondary, message
):
    spec = IngressSpec(
        arrivals=(Arrivals(arrivals, total=5, start_s=0.0, end_s=5.0),),
        destination=destination,
        secondary_region=secondary,
        secondary_share=0.1 if secondary else 0.0,
    )
    with pytest.raises(ValueError, match=message) as err:
        model_of(checkpoint(), ingress=spec, seed=1)
    assert "regions: forecourt, arena, secondary" in str(err.value)


def test_arrivals_are_drawn_with_the_same_checks_as_the_crowd():
    # A radius distribution reaching 1.5 m is refused for arrivals as for a zone's crowd.
    from crowdsim.model.population import Group, PopulationSpec

    giants = Group("giants", radius=Distribution("uniform", {"low": 0.2, "high": 1.5}))
    spec = IngressSpec(
        arrivals=(Arrivals("forecourt", total=50, start_s=0.0, end_s=5.0),), destination="arena"
    )
    with pytest.raises(ValueError, match=r"radii must lie in \(0.05, 1.0\] m"):
        model_of(checkpoint(), ingress=spec, population=PopulationSpec(groups=(giants,)), seed=1)
