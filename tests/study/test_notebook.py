"""The planner's notebook runs from top to bottom in a real Jupyter kernel, so it never rots."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "compare_layouts.ipynb"


@pytest.mark.slow
def test_the_compare_layouts_notebook_runs_and_reaches_a_verdict(monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("CROWDSIM_NOTEBOOK_RUNS", "3")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    )
    client.execute()
    outputs = [
        "".join(
            o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream"
        )
        for cell in nb.cells
        if cell.cell_type == "code"
    ]
    text = "\n".join(outputs)
    assert "Scenario «a fifth of a full house», 3 layouts × 3 runs." in text
    assert "report.html" in text and "KiB" in text
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
