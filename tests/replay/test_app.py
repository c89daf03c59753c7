"""The live exercise app served headless: it renders the plan offline, steps, and the facilitator's
injected exit closure closes the exit in the model."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(browser):
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false"}
    scenario = ROOT / "experiments/scenarios/threat_run_hide.toml"
    proc = subprocess.Popen(
        [sys.executable, "-m", "crowdsim.cli", "app", str(scenario), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 240
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the app stopped: {proc.stderr.read() if proc.stderr else ''}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(1)
    yield url
    proc.terminate()
    proc.wait(timeout=60)


def test_app_renders_steps_and_closes_an_exit(app_url, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(app_url)
    page.wait_for_selector("text=Exercise", timeout=180_000)
    plan = page.locator("img[src^='data:image/png']").first
    plan.wait_for(timeout=60_000)
    assert plan.bounding_box()["width"] > 200  # the plan is drawn
    page.get_by_role("button", name="Step").click()
    page.wait_for_selector("text=Step: 1", timeout=60_000)
    page.get_by_role("button", name="Close exit").click()
    page.wait_for_selector("text=close exit main entrance", timeout=60_000)
    page.get_by_role("button", name="Step").click()
    # The line reads the model's own exit flags: the closure reached the kernel's portals.
    page.wait_for_selector("text=closed exits: main entrance", timeout=60_000)
    box = plan.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    page.wait_for_selector("text=threat point:", timeout=60_000)
    page.get_by_role("button", name="Start threat here").click()
    page.wait_for_selector("text=threat threat 1", timeout=60_000)
    outside = [u for u in requests if not u.startswith(("http://127.0.0.1", "blob:", "data:"))]
    assert not outside, outside
    assert not errors, errors
    page.close()
