"""The experimental data loaders read every file of the data folder."""

import pedpy
import pytest

from crowdsim.validation.experiments import (
    DATASETS,
    HERMES_UO_KEYS,
    catalogued_files,
    hermes_uo_widths,
    load_single_file_samples,
    load_trajectory,
    load_walkable_area,
)
from crowdsim.validation.paths import DATA_ENV, DataMissingError, data_dir

#: Persons per run (data README).
PERSONS = {
    "wuppertal-0.5": 75,
    "hermes-ao-3.0": 348,
    "corner": 137,
    "basigo-5.0": 148,
    **dict(zip(HERMES_UO_KEYS, (61, 66, 111, 121, 175, 220, 170, 159, 148), strict=True)),
}


def test_every_file_in_the_data_folder_has_a_loader(juelich_data):
    root = data_dir()
    on_disk = {p for p in root.rglob("*") if p.is_file() and p.name != "README.md"}
    assert on_disk == catalogued_files()


@pytest.mark.parametrize("key", sorted(DATASETS))
def test_every_trajectory_file_loads_with_its_people_inside_its_walkable_area(key, juelich_data):
    traj = load_trajectory(key)
    ds = DATASETS[key]
    assert traj.frame_rate == ds.frame_rate
    assert traj.data[pedpy.ID_COL].nunique() == PERSONS[key]
    area = ds.walkable_area.buffer(0.5)  # tracking noise and heads above the walls
    inside = area.contains(traj.data[pedpy.POINT_COL]).mean()
    assert inside > 0.98, f"{key}: only {inside:.1%} of the points lie in the walkable area"


def test_geometry_files_hold_the_published_openings(juelich_data):
    hermes = DATASETS["hermes-ao-3.0"].walkable_area
    assert hermes.bounds == (-2.25, -8.5, 4.0, 6.25)
    corner = load_walkable_area(DATASETS["corner"].path.parent / "geo.xml")
    assert corner.area == pytest.approx(3 * 8 + 5 * 3)


def test_single_file_samples_load_with_the_readme_density_ranges(juelich_data):
    samples = load_single_file_samples()
    assert set(samples["dataset"]) == {
        "01_FD_germany_seyfried2005",
        "02_culture_india_chattaraj2013",
        "21_stopAndGoWavesCaserne_germany_seyfried2010",
    }
    rho = samples.groupby("dataset")["rho_1_m"].agg(["min", "max"]).round(2)
    assert rho.loc["01_FD_germany_seyfried2005"].tolist() == [0.56, 2.01]
    assert rho.loc["02_culture_india_chattaraj2013"].tolist() == [0.60, 2.59]
    assert rho.loc["21_stopAndGoWavesCaserne_germany_seyfried2010"].tolist() == [0.50, 3.81]
    assert samples["speed_m_s"].between(-1.0, 2.5).all()  # stop-and-go: small backward steps


def test_hermes_run_names_give_the_entrance_and_exit_widths():
    assert hermes_uo_widths("uo-050-180-180") == (0.5, 1.8)
    assert hermes_uo_widths("uo-180-180-095") == (1.8, 0.95)


def test_missing_data_folder_names_the_override(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(DataMissingError, match=DATA_ENV):
        data_dir()
