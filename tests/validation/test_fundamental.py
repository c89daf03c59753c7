"""Fundamental diagrams in periodic corridors (RiMEA 4 and 16) and the periodic driver."""

import pedpy
import pytest
from shapely.geometry import box

from crowdsim.validation.fundamental import single_file_band
from crowdsim.validation.measure import mean_density
from crowdsim.validation.periodic import run_periodic_corridor
from tests.validation.conftest import assert_passes


def test_periodic_corridor_keeps_everybody_and_its_density():
    traj = run_periodic_corridor(20.0, 4.0, 160, seed=1, duration_s=20.0)
    data = traj.data
    frames = data.groupby(pedpy.FRAME_COL).size()
    assert (frames == 160).all()  # nobody lost or created at the seam
    assert data[pedpy.X_COL].between(0.0, 20.0).all()
    assert data[pedpy.Y_COL].between(0.2, 3.8).all()  # centres a body radius off the walls
    assert data[pedpy.ID_COL].nunique() > 160  # passes along the corridor got their own ids
    rho = mean_density(traj, box(0.0, 0.0, 20.0, 4.0), (0, 200))
    assert rho == pytest.approx(2.0, rel=1e-9)


def test_single_file_band_matches_the_data_readme():
    # The data README's pooled German band for 1.0-1.2 persons/m: v10 0.34, v50 0.50, v90 0.66.
    v10, v50, v90, n = single_file_band(1.1)
    assert (round(v10, 2), round(v50, 2), round(v90, 2)) == (0.34, 0.50, 0.66)
    assert n > 6000


@pytest.mark.slow
def test_rimea_4_speed_falls_with_density(context, juelich_data):
    assert_passes("RiMEA 4", context)


@pytest.mark.slow
def test_rimea_16_single_file_within_the_data_band(context, juelich_data):
    assert_passes("RiMEA 16", context)
