"""Fuzzing the file readers: a mutated venue or scenario ends in a clean error or a sane run.

The shipped venue and scenario files are mutated as a hostile or unlucky user would (keys
dropped, values of the wrong type, numbers scaled, negated, zeroed, made NaN or infinite or
too large for 64 bits, strings swapped for other strings of the file, values nested in arrays
and tables, files cut short) and read through the functions the command line uses. Each
outcome must be either

- a :class:`~crowdsim.errors.CrowdsimError` whose message is one line naming the file (the
  mutated one, or for a scenario the venue it runs) and the feature, or
- a short run of a few people in which everybody is accounted for and nothing is NaN;

never another exception and never a hang (each example has a time limit). Hypothesis draws the
mutations with a fixed seed and no example database, so CI runs the same cases every time;
``CROWDSIM_FUZZ_EXAMPLES`` raises the number of examples per test (e.g. 2000 for a long hunt).
"""

from __future__ import annotations

import copy
import math
import os
import signal
import subprocess
import sys
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crowdsim.errors import CrowdsimError
from crowdsim.model.population import PopulationSpec
from crowdsim.model.result import RunResult
from crowdsim.model.scenario import Scenario
from crowdsim.model.scenario_io import load_scenario, scenario_from_mapping
from crowdsim.study import run
from crowdsim.venue import Venue, load_venue
from crowdsim.venue.io import venue_from_mapping

ROOT = Path(__file__).resolve().parents[1]
VENUES = sorted((ROOT / "venues").glob("*.toml"))
SCENARIOS = sorted((ROOT / "experiments" / "scenarios").glob("*.toml"))

#: Examples per fuzz test; CI runs the default, a hunt sets CROWDSIM_FUZZ_EXAMPLES.
EXAMPLES = int(os.environ.get("CROWDSIM_FUZZ_EXAMPLES", "100"))
#: Wall-clock seconds one example may take before it counts as a hang.
HANG_S = 60
#: The runs are short: this much simulated time, this many people, this grid.
RUN_TIME_S = 1.0
RUN_PEOPLE = 6
RUN_RESOLUTION_M = 0.3
#: Runs whose navigation grid would exceed this many cells are not stepped here (the reader
#: accepted the file; bounding the grid is the resource limits' work, with its own tests).
MOST_CELLS = 400_000
#: Runs with more people than this (a count scaled up) are read but not stepped.
MOST_PEOPLE_RUN = 500

FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

Key = str | int
Where = tuple[Key, ...]


@pytest.fixture(scope="module", autouse=True)
def _no_field_store() -> Iterator[None]:
    """Mutated venues' navigation fields are not stored on disk (they would crowd the cache)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CROWDSIM_CACHE_DIR", "off")
        yield


# -- mutations ---------------------------------------------------------------------------------


def _places(data: Any, where: Where = ()) -> Iterator[tuple[Where, Any]]:
    """Every value inside ``data`` (tables, arrays and scalars) with its key path."""
    items: Any = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        yield (*where, key), value
        if isinstance(value, dict | list):
            yield from _places(value, (*where, key))


def _parent(data: Any, where: Where) -> Any:
    for key in where[:-1]:
        data = data[key]
    return data


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numbers(value: Any) -> list[Any]:
    """What a number may become: NaN, infinities, its negative, zero, scaled, too large."""
    out: list[Any] = [math.nan, math.inf, -math.inf, -value, 0 * value, 2**63, -(2**63), 2**64]
    if isinstance(value, float):
        out += [value * 1e-6, value * 1e6, 1e308]
    else:  # a count or a seed: at most ten times (a run of millions is not a few seconds)
        out += [value * 10, value + 1, value - 1]
    return out


OTHER_VALUES: list[Any] = ["x", "", 1, -1, 0.5, True, [], {}, [1, 2], {"dist": "fixed"}, [[0, 0]]]


@st.composite
def mutated(draw: st.DrawFn, files: list[Path]) -> tuple[Path, dict[str, Any], list[str]]:
    """One of ``files``, parsed, with one to three mutations; and what they were."""
    path = draw(st.sampled_from(files))
    data = _shrunk(tomllib.loads(path.read_text(encoding="utf-8")), path)
    done: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        places = list(_places(data))
        if not places:
            break
        kind = draw(st.sampled_from(["number", "number", "swap", "drop", "retype", "nest"]))
        fitting = {  # a number to change, a string to swap; anything else for the rest
            "number": [p for p in places if _is_number(p[1])],
            "swap": [p for p in places if isinstance(p[1], str)],
        }.get(kind) or places
        where, value = draw(st.sampled_from(fitting))
        parent, key = _parent(data, where), where[-1]
        if kind == "drop":
            del parent[key]
        elif kind == "number" and _is_number(value):
            parent[key] = draw(st.sampled_from(_numbers(value)))
        elif kind == "swap" and isinstance(value, str):
            strings = sorted({v for _, v in places if isinstance(v, str)} | {"", "base"})
            parent[key] = draw(st.sampled_from(strings))
        elif kind == "nest":
            parent[key] = draw(st.sampled_from([[value], {"value": value}, [[value, value]]]))
        else:
            parent[key] = copy.deepcopy(draw(st.sampled_from(OTHER_VALUES)))
            kind = "retype"
        done.append(f"{kind} {'.'.join(map(str, where))} -> {_short(_parent(data, where), key)}")
    return path, data, done


def _short(parent: Any, key: Key) -> str:
    try:
        return repr(parent[key])[:60]
    except (KeyError, IndexError):
        return "(dropped)"


def _shrunk(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """A scenario cut down to a short run of a few people (before it is mutated)."""
    if path.parent.name != "scenarios":
        return data
    data["time_limit_s"] = RUN_TIME_S
    population = data.setdefault("population", {})
    population.pop("scale", None)
    population["total"] = RUN_PEOPLE
    data.setdefault("simulation", {})["navigation_resolution_m"] = RUN_RESOLUTION_M
    for arrivals in data.get("ingress", {}).get("arrivals", []):
        arrivals["total"] = RUN_PEOPLE
    return data


# -- outcomes ----------------------------------------------------------------------------------


class Hang(Exception):
    """An example ran past :data:`HANG_S`."""


def _alarm(signum: int, frame: object) -> None:
    raise Hang(f"no outcome within {HANG_S} s")


def _outcome(read: Any, names: tuple[str, ...], done: list[str]) -> str:
    """Read (and if accepted, run) a mutated file; fail the test on anything but the two outcomes.

    Returns:
        ``"error"``, ``"run"`` or ``"read"`` (accepted, too large to step here).
    """
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_S)
    try:
        scenario = read()
        if not _small_enough(scenario):
            return "read"
        _check_sane(run(scenario), scenario)
        return "run"
    except CrowdsimError as err:
        message = str(err)
        assert "\n" not in message, f"{done}: a message of several lines: {message!r}"
        assert any(name in message for name in names), f"{done}: names no file: {message}"
        assert err.feature.strip() and err.fix.strip(), f"{done}: no feature or fix: {message}"
        return "error"
    except Hang:
        pytest.fail(f"{done}: hangs (no outcome within {HANG_S} s)")
    except Exception as exc:  # everything else is a defect: show which mutation caused it
        raise AssertionError(f"{done}: {type(exc).__name__}: {exc}") from exc
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _small_enough(scenario: Scenario) -> bool:
    """Whether a run of ``scenario`` is a few seconds (its grid and people are small)."""
    venue = scenario.venue_for()
    xmin, ymin, xmax, ymax = venue.walkable.bounds
    cells = (xmax - xmin + 2) * (ymax - ymin + 2) / scenario.navigation_resolution_m**2
    people = sum(scenario.population.zone_counts(venue.zones))
    if scenario.ingress is not None:
        people += sum(a.total for a in scenario.ingress.arrivals)
    return cells <= MOST_CELLS and people <= MOST_PEOPLE_RUN


def _check_sane(result: RunResult, scenario: Scenario) -> None:
    """Everybody accounted for, nothing NaN, the time limit kept."""
    counts = Counter(str(s) for s in result.status)
    assert sum(counts.values()) == result.agents
    assert set(counts) <= {"absent", "inside", "evacuated", "sheltered", "entered"}
    assert counts["evacuated"] == result.evacuated == sum(result.per_exit.values())
    assert counts["sheltered"] == result.sheltered
    assert counts["entered"] == result.entered
    assert counts["inside"] + counts["absent"] == result.remaining
    assert math.isfinite(result.simulated_time_s)
    assert result.simulated_time_s <= scenario.time_limit_s + scenario.step_s + 1e-9
    safe = np.isin(result.status, ["evacuated", "sheltered", "entered"])
    assert np.isfinite(result.time_to_safety_s[safe]).all()
    for key, value in result.summary().items():
        assert not (isinstance(value, float) and math.isnan(value)), f"{key} is NaN"


def _capped(scenario: Scenario) -> Scenario:
    """The scenario with a short time limit whatever the mutation made of it."""
    return scenario.with_overrides(time_limit_s=min(scenario.time_limit_s, RUN_TIME_S))


# -- the fuzz tests ----------------------------------------------------------------------------


@FUZZ
@given(case=mutated(SCENARIOS))
def test_a_mutated_scenario_gives_a_clean_error_or_a_sane_run(
    case: tuple[Path, dict[str, Any], list[str]],
) -> None:
    path, data, done = case

    def read() -> Scenario:
        scenario = scenario_from_mapping(data, source=str(path), base_dir=path.parent)
        return _capped(scenario)

    venue_names = tuple(v.name for v in VENUES)
    _outcome(read, (path.name, *venue_names), done)


@FUZZ
@given(case=mutated(VENUES))
def test_a_mutated_venue_gives_a_clean_error_or_a_sane_run(
    case: tuple[Path, dict[str, Any], list[str]],
) -> None:
    path, data, done = case

    def read() -> Scenario:
        venue = venue_from_mapping(data, source=str(path))
        for layout in venue.layouts:  # `crowdsim check` applies every layout
            venue.with_layout(layout)
        return _tiny(venue)

    _outcome(read, (path.name,), done)


def _tiny(venue: Venue) -> Scenario:
    return Scenario.for_venue(
        venue,
        time_limit_s=RUN_TIME_S,
        navigation_resolution_m=RUN_RESOLUTION_M,
        population=PopulationSpec(total=RUN_PEOPLE),
    )


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder laid out like the repository's (venues beside experiments/scenarios)."""
    root = tmp_path_factory.mktemp("fuzz")
    (root / "venues").symlink_to(ROOT / "venues")
    (root / "experiments" / "scenarios").mkdir(parents=True)
    return root


@FUZZ
@given(
    path=st.sampled_from(VENUES + SCENARIOS),
    cut=st.floats(0.0, 1.0),
    tail=st.sampled_from(["", "\n[", "\nx = [[[[", "\n" + "[" * 200 + "]" * 200, "\0"]),
)
def test_a_cut_short_file_gives_a_clean_error_or_a_sane_run(
    copies: Path, path: Path, cut: float, tail: str
) -> None:
    text = path.read_text(encoding="utf-8")
    is_venue = path in VENUES
    target = copies / ("venues_cut" if is_venue else "experiments/scenarios") / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text[: int(len(text) * cut)] + tail, encoding="utf-8")
    done = [f"{path.name} cut at {cut:.3f} + {tail[:10]!r}"]

    def read() -> Scenario:
        if is_venue:
            return _tiny(load_venue(target))
        scenario = load_scenario(target)  # with its full crowd: run a few of them
        return _capped(scenario).with_overrides(
            population=replace(scenario.population, scale=None, total=RUN_PEOPLE),
            navigation_resolution_m=RUN_RESOLUTION_M,
        )

    _outcome(read, (path.name, *(v.name for v in VENUES)), done)


# -- exit statuses, as a user sees them ----------------------------------------------------------


def _crowdsim(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crowdsim.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "CROWDSIM_CACHE_DIR": "off"},
    )


@pytest.fixture
def hall(tmp_path: Path) -> Path:
    """A folder with a scenario's neighbours: the venues, a picture, a system file, notes."""
    (tmp_path / "venues").symlink_to(ROOT / "venues")
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "plan.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (folder / "passwd.toml").write_text("daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n")
    (folder / "empty.toml").write_text("")
    (folder / "notes.txt").write_text((ROOT / "venues" / "concert_hall.toml").read_text())
    (folder / "other.toml").write_text('crowdsim_scenario = 1\nvenue = "hall.toml"\n')
    return folder / "hall.toml"


@pytest.mark.parametrize(
    ("venue", "expected"),
    [
        ("plan.png", "is not a .toml file"),
        ("passwd.toml", "does not start as a crowdsim file"),
        ("empty.toml", "does not start as a crowdsim file"),
        ("notes.txt", "is not a .toml file"),
        ("other.toml", "does not start as a crowdsim file: put crowdsim_venue = 1"),
    ],
)
def test_a_scenarios_venue_must_be_a_venue_file(hall: Path, venue: str, expected: str) -> None:
    # Checked by extension and header before the file is parsed.
    hall.write_text(f'crowdsim_scenario = 1\nvenue = "{venue}"\n')
    with pytest.raises(CrowdsimError) as info:
        load_scenario(hall)
    assert info.value.source == str(hall) and info.value.feature == "top level"
    assert f"venue = {venue!r} {expected}" in str(info.value)


def test_tables_nested_too_deep_are_one_line_naming_the_file_and_key(hall: Path) -> None:
    for depth in (40, 5000):  # within Python's recursion limit, and far beyond it
        hall.write_text(
            'crowdsim_scenario = 1\nvenue = "../venues/concert_hall.toml"\n'
            f"[population]\nzones = {'[' * depth}{']' * depth}\n"
        )
        with pytest.raises(CrowdsimError) as info:
            load_scenario(hall)
        assert info.value.source == str(hall) and "nested" in info.value.fix
        assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("what", "text", "args"),
    [
        ("a picture as venue", 'venue = "plan.png"', ()),
        ("a negative seed", 'venue = "../venues/concert_hall.toml"', ("--seed", "-1")),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_file(
    hall: Path, what: str, text: str, args: tuple[str, ...]
) -> None:
    hall.write_text(f"crowdsim_scenario = 1\n{text}\ntime_limit_s = 1\n")
    done = _crowdsim("run", str(hall), "--json", *args, cwd=hall.parent)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, (what, done.stderr[-2000:])
    assert len(lines) == 1 and lines[0].startswith("crowdsim: error: "), (what, lines)
    assert "hall.toml" in lines[0], (what, lines[0])
