"""Exercise mode: a facilitator injects events into a running model, and saves them to replay.

An :class:`Exercise` builds a model from a scenario file's contents (with the app's choices of
layout, people per zone and desired speed written into them) through
:func:`crowdsim.study.build`, steps it, and injects what the facilitator does: close or open an
exit, start a threat at a point, raise the alarm in a zone that is waiting for it, lock a
shelter. Each injection takes effect at the current simulated time, exactly as the same event
in a scenario file would, so :meth:`Exercise.save` writes a scenario file that replays the run
exactly (same seed, same result).

Zones chosen as *waiting* start without the alarm: their people's pre-movement is drawn as
usual but counts from the time the facilitator raises the alarm there (in the saved file, the
zone's ``alarm_s``; a zone never alerted gets the time limit, so it never moves).
"""

from __future__ import annotations

import contextlib
import copy
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from crowdsim.errors import OutputError, SetupError
from crowdsim.model.evacuation import EvacuationModel
from crowdsim.model.events import ExitEvent, ShelterLock, Threat
from crowdsim.model.scenario import Scenario
from crowdsim.model.scenario_io import FORMAT_VERSION, scenario_from_mapping
from crowdsim.study import build
from crowdsim.tables import read_toml
from crowdsim.venue.io import load_venue


@dataclass(frozen=True)
class Injection:
    """One thing the facilitator did, at ``time_s``, on ``name``.

    ``kind`` is ``close exit``, ``open exit``, ``threat``, ``alarm`` or ``lock shelter``;
    threats have a position (m) and a hazard radius (m).
    """

    time_s: float
    kind: str
    name: str
    x: float = 0.0
    y: float = 0.0
    radius_m: float = 0.0


def scenario_data(path: str | Path) -> dict[str, Any]:
    """A scenario file's contents with the venue path absolute (a venue file becomes one)."""
    from crowdsim.errors import ScenarioError

    path = Path(path)
    data = read_toml(path, ScenarioError)
    if "crowdsim_venue" in data and "crowdsim_scenario" not in data:
        load_venue(path)
        return {
            "crowdsim_scenario": FORMAT_VERSION,
            "name": data.get("name", path.stem),
            "venue": str(path.resolve()),
        }
    data = copy.deepcopy(data)
    data["venue"] = str((path.parent / str(data.get("venue", ""))).resolve())
    return data


class Exercise:
    """A live run the facilitator steers.

    Args:
        data: Scenario file contents (:func:`scenario_data`).
        source: Name of the scenario file, for messages.
        layout: Layout to run (None: the scenario's).
        people_factor: People per zone, as a share of the venue's numbers.
        desired_speed_m_s: Mean free walking speed (None: the scenario's).
        waiting_zones: Zones that start without the alarm.
        seed: Seed of the run (None: the scenario's).

    Raises:
        CrowdsimError: If the scenario does not build (bad zone names, layouts, speeds...).
    """

    def __init__(
        self,
        data: dict[str, Any],
        *,
        source: str = "<app>",
        layout: str | None = None,
        people_factor: float = 1.0,
        desired_speed_m_s: float | None = None,
        waiting_zones: Sequence[str] = (),
        seed: int | None = None,
    ) -> None:
        self.source = source
        self.data = copy.deepcopy(data)
        if layout:
            self.data["layout"] = layout
        if seed is not None:
            self.data["seed"] = int(seed)
        base = scenario_from_mapping(self.data, source=source, base_dir=Path("."))
        pop = self.data.setdefault("population", {})
        zones = pop.setdefault("zones", {})
        if people_factor != 1.0:
            if not 0 < people_factor <= 10:
                raise SetupError(
                    source, "people", f"share must lie in (0, 10], got {people_factor}"
                )
            for z in base.venue.zones:
                zones.setdefault(z.name, {})["people"] = round(z.people * people_factor)
        if desired_speed_m_s is not None:
            speed = {
                "dist": "normal",
                "mean": float(desired_speed_m_s),
                "sd": 0.26,
                "min": 0.3,
                "max": 3.0,
            }
            pop["desired_speed"] = speed
            for g in pop.get("groups", []):
                g["desired_speed"] = dict(speed)
        names = {z.name for z in base.venue.zones}
        unknown = set(waiting_zones) - names
        if unknown:
            raise SetupError(
                source,
                "waiting zones",
                f"no zone {sorted(unknown)[0]!r}; zones: {', '.join(sorted(names))}",
            )
        for name in waiting_zones:
            zones.setdefault(name, {})["alarm_s"] = 0.0
        if not zones:
            pop.pop("zones")
        if not pop:
            self.data.pop("population")
        self.scenario: Scenario = scenario_from_mapping(
            self.data, source=source, base_dir=Path(".")
        )
        self.model: EvacuationModel = build(self.scenario)
        self.waiting = list(waiting_zones)
        self.injections: list[Injection] = []
        self._pre: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._perception: dict[str, float] = {}
        m = self.model
        for name in self.waiting:
            k = [z.name for z in m.venue.zones].index(name)
            who = np.flatnonzero(m.people.zone == k)
            pre = m.state.t_start[who].copy()  # alarm 0: the pre-movement times themselves
            self._pre[name] = (who, pre)
            m.state.t_start[who] = self.scenario.time_limit_s + pre

    @property
    def time_s(self) -> float:
        """Simulated time (s)."""
        return self.model.time_s

    def step(self) -> None:
        """One model step."""
        if self.model.running:
            self.model.step()

    def close_exit(self, name: str) -> None:
        """Close exit ``name`` now (its users choose again)."""
        self._exit(name, open_=False)

    def open_exit(self, name: str) -> None:
        """Open exit ``name`` again now."""
        self._exit(name, open_=True)

    def _exit(self, name: str, *, open_: bool) -> None:
        t = self.time_s
        self.model.engine.exit_number(name, role="exercise")
        self._insert(ExitEvent(at_s=t, exit=name, open=open_))
        self.injections.append(Injection(t, "open exit" if open_ else "close exit", name))

    def lock_shelter(self, name: str) -> None:
        """Lock shelter ``name`` now."""
        t = self.time_s
        self.model.shelters.number(name)
        self._insert(ShelterLock(at_s=t, shelter=name))
        self.injections.append(Injection(t, "lock shelter", name))

    def start_threat(
        self, x: float, y: float, *, radius_m: float = 4.0, perception_m: float = 15.0
    ) -> None:
        """A threat appears at (x, y) m now.

        Its hazard area has ``radius_m``; people within ``perception_m`` react at once.
        """
        t = self.time_s
        name = f"threat {sum(i.kind == 'threat' for i in self.injections) + 1}"
        threat = Threat(
            onset_s=t,
            path=((float(x), float(y)),),
            hazard_radius_m=radius_m,
            perception_radius_m=perception_m,
            name=name,
        )
        tl = self.model.timeline
        tl.threats = (*tl.threats, threat)
        self.injections.append(Injection(t, "threat", name, float(x), float(y), radius_m))
        self._perception[name] = perception_m

    def raise_alarm(self, zone: str) -> None:
        """Raise the alarm in a waiting zone now: its people's pre-movement starts."""
        if zone not in self._pre:
            raise SetupError(
                self.source,
                "alarm",
                f"zone {zone!r} is not waiting for the alarm; "
                f"waiting: {', '.join(self._pre) or 'none'}",
            )
        t = self.time_s
        who, pre = self._pre.pop(zone)
        s = self.model.state
        s.t_start[who] = np.minimum(s.t_start[who], t + pre)
        self.injections.append(Injection(t, "alarm", zone))

    def _insert(self, event: ExitEvent | ShelterLock) -> None:
        events = self.model.timeline.events
        events.append(event)
        events.sort(key=lambda e: e.at_s)

    def scenario_mapping(self) -> dict[str, Any]:
        """The scenario file contents that replay this exercise exactly."""
        data = copy.deepcopy(self.data)
        events = list(data.get("events", []))
        threats = list(data.get("threats", []))
        zones = data.setdefault("population", {}).setdefault("zones", {})
        for name in self._pre:  # never alerted
            zones[name]["alarm_s"] = float(self.scenario.time_limit_s)
        for inj in self.injections:
            if inj.kind in ("close exit", "open exit"):
                events.append({"at_s": inj.time_s, inj.kind.replace(" ", "_"): inj.name})
            elif inj.kind == "lock shelter":
                events.append({"at_s": inj.time_s, "lock_shelter": inj.name})
            elif inj.kind == "alarm":
                zones[inj.name]["alarm_s"] = inj.time_s
            elif inj.kind == "threat":
                threats.append(
                    {
                        "name": inj.name,
                        "onset_s": inj.time_s,
                        "position": [inj.x, inj.y],
                        "hazard_radius_m": inj.radius_m,
                        "perception_radius_m": self._perception.get(inj.name, 15.0),
                    }
                )
        if events:
            data["events"] = events
        if threats:
            data["threats"] = threats
        return data

    def save(self, path: str | Path) -> Path:
        """Write the scenario file that replays this exercise (venue path relative to it).

        Raises:
            OutputError: If the file cannot be written.
        """
        path = Path(path)
        data = self.scenario_mapping()
        with contextlib.suppress(ValueError):  # another drive (Windows): keep it absolute
            data["venue"] = os.path.relpath(data["venue"], path.resolve().parent)
        text = "# Exercise recorded by crowdsim app: replay with `crowdsim run` (same seed).\n"
        text += toml_text(data)
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as err:
            raise OutputError(str(path), "exercise", f"cannot be written: {err}") from None
        return path


def toml_text(data: dict[str, Any]) -> str:
    """TOML for the plain data a scenario file holds (tables, arrays of tables, values)."""
    lines: list[str] = []
    _table(data, [], lines)
    return "\n".join(lines).lstrip("\n") + "\n"


def _table(data: dict[str, Any], path: list[str], lines: list[str]) -> None:
    simple = {k: v for k, v in data.items() if not _is_table(v) and not _is_table_array(v)}
    if path and (simple or not data):
        lines.append(f"\n[{'.'.join(_key(p) for p in path)}]")
    for k, v in simple.items():
        lines.append(f"{_key(k)} = {_value(v)}")
    for k, v in data.items():
        if _is_table(v):
            _table(v, [*path, k], lines)
        elif _is_table_array(v):
            for item in v:
                lines.append(f"\n[[{'.'.join(_key(p) for p in [*path, k])}]]")
                for kk, vv in item.items():
                    lines.append(f"{_key(kk)} = {_value(vv)}")


def _is_table(v: Any) -> bool:
    return isinstance(v, dict)


def _is_table_array(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def _key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() and k.isascii() else _string(k)


def _string(s: str) -> str:
    out = s.replace("\\", "\\\\").replace('"', '\\"')
    out = "".join(c if ord(c) >= 0x20 and c != "\x7f" else f"\\u{ord(c):04x}" for c in out)
    return f'"{out}"'


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")
