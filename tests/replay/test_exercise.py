"""Exercise mode: injected events act on the model; the saved scenario replays the run exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from crowdsim.model.scenario_io import load_scenario
from crowdsim.replay.app import LiveRun, plan_figure
from crowdsim.replay.exercise import Exercise, scenario_data
from crowdsim.study import build

ROOT = Path(__file__).resolve().parents[2]
CONCERT = ROOT / "experiments/scenarios/concert_hall.toml"


def test_the_saved_exercise_replays_the_run_exactly(tmp_path):
    ex = Exercise(
        scenario_data(CONCERT),
        people_factor=0.2,
        desired_speed_m_s=1.2,
        waiting_zones=["front of stage"],
    )
    door = ex.model.venue.exit_names[0]
    for k in range(220):
        if k == 30:
            ex.close_exit(door)
        if k == 60:
            ex.start_threat(15.0, 10.0, radius_m=3.0)
        if k == 90:
            ex.raise_alarm("front of stage")
        if k == 140:
            ex.open_exit(door)
        ex.step()
    assert [i.kind for i in ex.injections] == ["close exit", "threat", "alarm", "open exit"]
    saved = ex.save(tmp_path / "exercise.toml")
    replay = build(load_scenario(saved))
    for _ in range(220):
        replay.step()
    assert np.array_equal(replay.state.pos, ex.model.state.pos)
    assert np.array_equal(replay.status.code, ex.model.status.code)


def test_live_app_model_renders_steps_and_closes_an_exit():
    live = LiveRun(scenario_path=str(CONCERT), people_share=0.2)
    fig = plan_figure(live)
    assert fig.axes and fig.axes[0].collections  # the people are drawn
    live.step()
    door = live.model.venue.exit_names[1]
    live.exercise.close_exit(door)
    live.step()
    k = live.model.venue.exit_names.index(door)
    assert not live.model.engine.exit_open[k]
