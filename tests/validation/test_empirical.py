"""Empirical validation against the Jülich/Wuppertal data."""

import numpy as np
import pytest

from crowdsim.validation.reference import weidmann_speed
from tests.validation.conftest import assert_passes


def test_weidmann_fundamental_diagram():
    # Free speed at low density, zero at the jam density 5.4 /m², flow peak ~1.22 at ~1.75.
    assert weidmann_speed(np.array([0.01]))[0] == pytest.approx(1.34, abs=1e-6)
    assert weidmann_speed(np.array([5.4]))[0] == pytest.approx(0.0, abs=1e-12)
    rho = np.linspace(0.5, 5.0, 901)
    flow = rho * weidmann_speed(rho)
    assert flow.max() == pytest.approx(1.22, abs=0.01)
    assert rho[flow.argmax()] == pytest.approx(1.75, abs=0.1)


def test_data_anchors_are_reproduced_by_the_pedpy_measurements(context, juelich_data):
    assert_passes("DATA 1", context)


@pytest.mark.slow
def test_bottleneck_flows_within_15_percent_of_the_experiments(context, juelich_data):
    assert_passes("EMP 1", context)


@pytest.mark.slow
def test_hermes_corridor_runs_with_a_narrow_exit_jam(context, juelich_data):
    assert_passes("EMP 2", context)


@pytest.mark.slow
def test_flow_through_square_cornered_openings_in_the_measured_range(context, juelich_data):
    assert_passes("EMP 5", context)


@pytest.mark.slow
def test_flow_through_funnelled_openings_in_the_measured_range(context, juelich_data):
    assert_passes("EMP 6", context)


def test_corner_replica_never_cuts_the_corner(context, juelich_data):
    assert_passes("EMP 3", context)
