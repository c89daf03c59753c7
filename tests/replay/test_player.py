"""The player in headless Chromium: offline, plays, scrubs to the right frame, panes in sync."""

from __future__ import annotations

import dataclasses

import numpy as np

from crowdsim.replay.files import load_replay
from crowdsim.replay.player import write_player
from crowdsim.study import run
from crowdsim.venue import Layout
from tests.replay.conftest import hall, hall_scenario


def _open(browser, path):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    problems, requests = [], []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: problems.append(f"dialog {d.message}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_function("window.crowdsimPlayer && window.crowdsimPlayer.loaded", timeout=60000)
    return page, problems, requests


def test_player_plays_scrubs_and_shows_the_recorded_positions(recorded, browser, tmp_path):
    _, sqlite, _ = recorded
    rp = load_replay(sqlite)
    page, problems, requests = _open(browser, write_player([rp], tmp_path / "p.html"))
    assert requests == [(tmp_path / "p.html").as_uri()]  # nothing but the file itself
    page.click("#play")
    page.wait_for_timeout(1200)
    assert page.evaluate("window.crowdsimPlayer.time()") > 0.3
    page.click("#play")
    # Scrub with the slider to t = 4.2 s: the page draws frame 42, at its recorded positions.
    page.eval_on_selector(
        "#slider", "s => { s.value = '4.2'; s.dispatchEvent(new Event('input')); }"
    )
    drawn = page.evaluate("window.crowdsimPlayer.positions(0)")
    k = rp.frame_at(4.2)
    assert drawn["frame"] == rp.frames[k] == 42
    sl = rp.rows(k)
    assert drawn["ids"] == rp.ids[sl].tolist()
    assert np.allclose(drawn["x"], rp.x[sl], atol=0.006) and np.allclose(
        drawn["y"], rp.y[sl], atol=0.006
    )
    assert page.inner_text("#clock") == "t = 00:04.2"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("window.crowdsimPlayer.positions(0).frame") == 43
    assert not problems


def test_two_layouts_side_by_side_stay_in_sync(recorded, browser, tmp_path):
    _, sqlite, parquet = recorded
    page, problems, _ = _open(
        browser,
        write_player([load_replay(sqlite), load_replay(parquet, every=2)], tmp_path / "two.html"),
    )
    assert page.locator(".pane").count() == 2
    page.click("#play")
    page.wait_for_timeout(800)
    page.click("#play")
    t = page.evaluate("window.crowdsimPlayer.time()")
    frames = page.evaluate("window.crowdsimPlayer.frames()")
    # Both panes show the frame nearest the one clock (10 and 5 frames per second).
    assert abs(frames[0] / 10 - t) <= 0.05 + 1e-9 and abs(frames[1] / 10 - t) <= 0.1 + 1e-9
    assert not problems


def test_two_different_layouts_are_labelled_and_replayed_on_one_clock(browser, tmp_path):
    venue = dataclasses.replace(
        hall(), layouts={"west_door_closed": Layout("west_door_closed", close_exits=("west door",))}
    )
    scenario = dataclasses.replace(hall_scenario(venue), events=())  # the layout closes the door
    files = []
    for layout in ("base", "west_door_closed"):
        files.append(tmp_path / f"{layout}.sqlite")
        run(scenario, layout=layout, trajectory=files[-1], fps=5)
    page, problems, _ = _open(
        browser, write_player([load_replay(f) for f in files], tmp_path / "layouts.html")
    )
    titles = page.locator(".pane-title").all_inner_texts()
    heads = page.locator(".pane-head").all_inner_texts()
    assert "layout base" in titles[0] and "layout west_door_closed" in titles[1]
    assert heads[0] != heads[1]  # each pane its own headline figures
    page.evaluate("window.crowdsimPlayer.seek(6.0)")
    frames = page.evaluate("window.crowdsimPlayer.frames()")
    assert frames == [30, 30]  # 6 s at 5 frames per second, in both panes
    assert not problems


def test_names_with_script_tags_are_shown_as_text(browser, tmp_path):
    evil = "</script><script>alert(1)</script>"
    scenario = hall_scenario(hall(name=evil, zone=evil + " zone"))
    path = tmp_path / "evil.sqlite"
    run(scenario, trajectory=path, fps=5)
    page_file = write_player([load_replay(path)], tmp_path / "evil.html")
    text = page_file.read_text()
    assert "<script>alert(1)" not in text
    page, problems, _ = _open(browser, page_file)
    assert evil in page.inner_text("#title")
    assert not problems
