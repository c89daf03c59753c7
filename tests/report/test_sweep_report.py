"""The sweep report in a real headless browser: sections, figures, escaping, no console errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crowdsim.report.sweep import sweep_report
from crowdsim.study.sweep_design import design_points
from crowdsim.study.sweep_file import load_sweep

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = (ROOT / "experiments/validation/faster_is_slower.toml").as_posix()


def _sweep(tmp_path: Path, design: str, params: str):
    path = tmp_path / "s.toml"
    path.write_text(
        f'crowdsim_sweep = 1\nname = "Doors <script>alert(1)</script>"\n'
        f'scenario = "{SCENARIO}"\nreplications = 3\n[design]\n{design}\n{params}'
    )
    return load_sweep(path)


def _runs(sweep) -> pd.DataFrame:
    """Runs of a known response, some censored and one failed with markup in its message."""
    points = design_points(sweep)
    rng = np.random.default_rng(0)
    rows = []
    for seed in sweep.seeds():
        for _, p in points.iterrows():
            v = p["population.desired_speed"]
            w = p["venue.exits.door.width_m"]
            t = 100 / w * (1 + 0.05 * (v - 2) ** 2) + rng.normal(0, 2)
            rows.append(
                {
                    **p.to_dict(),
                    "seed": seed,
                    "status": "completed",
                    "evacuation_time_s": t,
                    "p95_exit_time_s": 0.9 * t,
                    "wall_time_s": 2.0,
                    "error": "",
                }
            )
    runs = pd.DataFrame(rows)
    runs.loc[1, ["status", "evacuation_time_s"]] = ["time_limit", np.nan]
    runs.loc[2, ["status", "evacuation_time_s", "error"]] = [
        "error",
        np.nan,
        "SetupError: <img src=x onerror=alert(2)>",
    ]
    return runs


@pytest.mark.parametrize(
    ("design", "params", "sections"),
    [
        (
            'kind = "grid"',
            '[[parameters]]\npath = "population.desired_speed"\nvalues = [0.8, 2.0, 4.0]\n'
            '[[parameters]]\npath = "venue.exits.door.width_m"\nvalues = [0.8, 1.2, 1.6]\n'
            'label = "door <b>width</b>"\n',
            ["What was run", "Main effects", "Interactions", "Per point", "Failed runs"],
        ),
        (
            'kind = "sobol"\nsamples = 8',
            '[[parameters]]\npath = "population.desired_speed"\nlow = 0.8\nhigh = 4.0\n'
            '[[parameters]]\npath = "venue.exits.door.width_m"\nlow = 0.8\nhigh = 1.6\n',
            ["What was run", "Main effects", "Sobol' indices", "Per point", "Failed runs"],
        ),
    ],
)
def test_the_report_renders_in_chromium(browser, tmp_path, design, params, sections):
    sweep = _sweep(tmp_path, design, params)
    runs = _runs(sweep)
    out = sweep_report(
        runs=runs, sweep=sweep, out=tmp_path / "report.html", metrics=["evacuation_time_s"]
    )
    text = out.read_text()
    assert "<script>alert(1)" not in text and "&lt;script&gt;" in text
    assert "<img src=x" not in text and "<b>width</b>" not in text
    assert "http://" not in text and "https://" not in text  # nothing from the network
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(out.as_uri())
    headings = page.locator("h2, h3").all_inner_texts()
    images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
    body = page.inner_text("body")
    page.close()
    assert not errors and not dialogs
    for section in sections:
        assert any(section in h for h in headings), (section, headings)
    assert images and all(ok and width > 0 for ok, width in images)
    assert "1 censored" in body or "censored (time limit)" in body
    assert "<img src=x onerror=alert(2)>" in body  # shown as text, not run
