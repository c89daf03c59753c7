"""The research notebook runs through a real kernel on its reduced design and answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_faster_is_slower_notebook_runs_and_answers(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    monkeypatch.setenv("CROWDSIM_NOTEBOOK_QUICK", "1")
    monkeypatch.setenv("CROWDSIM_NOTEBOOK_OUT", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    nb = nbformat.read(ROOT / "notebooks/faster_is_slower_sweep.ipynb", as_version=4)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": ROOT / "notebooks"}}
    ).execute()
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    findings = json.loads(text[text.index("{") :])
    assert findings["runs"] == 12 == findings["completed"]
    # bottleneck capacity grows with the door's width and the queue with the crowd
    assert findings["width_effect_s"] < 0 < findings["people_effect_s"]
    assert findings["sobol_points"] == 20
    assert set(findings["sobol_ST"]) == {
        "population.desired_speed",
        "venue.exits.door.width_m",
        "population.zones.room.people",
    }
    assert findings["most_important"] in findings["sobol_ST"]
    assert (tmp_path / "grid" / "results.sqlite").is_file()
