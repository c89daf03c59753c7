"""Recording a run into a trajectory file while it goes on: what a replay needs to show it.

At the start the venue and layout (as WKT) and every person's attributes; at each frame the
positions, the state changes (:data:`STATE_NAMES`) and the events of the timeline since the last
frame (alarms per zone, exits closed and opened, shelters locked or full, threats appearing,
hazard areas where they are now); at the end each person's outcome. Everything is read from
the model's processes (status, ingress, shelters, router, engine, timeline), never changed.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from crowdsim.dynamics.crowd import CrowdState
from crowdsim.model.ingress import TO_GATE, Ingress
from crowdsim.model.population import Population
from crowdsim.model.status import ENTERED, EVACUATED, INSIDE, SHELTERED, STATUS_NAMES, Status
from crowdsim.model.trajectory import AgentRow, EventRow, FeatureRow, TrajectoryRecorder
from crowdsim.venue import Venue

#: Per-frame state codes of a person, as ``crowdsim_states`` stores them.
WAITING, MOVING, QUEUING, SCREENING, SHELTERED_STATE, EVACUATED_STATE, ENTERED_STATE = range(7)
#: Name of each state code: pre-movement, walking, heading for or queuing at a screening lane,
#: held at a gate or in secondary search, admitted to a shelter, left by an exit, entered.
STATE_NAMES = ("waiting", "moving", "queuing", "screening", "sheltered", "evacuated", "entered")


class _Recorded(Protocol):
    """What the recording reads from the model."""

    venue: Venue
    scenario: Any
    people: Population
    state: CrowdState
    status: Status
    ingress: Ingress
    shelters: Any
    router: Any
    engine: Any
    timeline: Any
    step_s: float
    seed: int | None

    @property
    def time_s(self) -> float:
        """Simulated time (s)."""


class Recording:
    """Hands frames, state changes and events of a run to a trajectory writer at its frame rate.

    Args:
        writer: The open trajectory file (None: nothing is recorded).
        model: The model being recorded (its processes are read, never changed).
    """

    def __init__(self, writer: TrajectoryRecorder | None, model: _Recorded) -> None:
        self.writer = writer
        self.model = model
        self.every = 1 if writer is None else max(1, round(1.0 / (writer.fps * model.step_s)))
        if writer is None:
            return
        n = len(model.state)
        self._codes = np.full(n, -1, np.int64)
        self._exit_open = np.ones(len(model.venue.exits), np.bool_)
        self._shelter_open = np.ones(len(model.venue.shelters), np.bool_)
        self._threats_seen: set[int] = set()
        self._alarms = _alarms(model)
        writer.write_features(features(model.venue))
        writer.write_features(
            [
                ("metadata", "crowdsim_scenario", "", str(model.scenario.name)),
                ("metadata", "crowdsim_people", "", str(n)),
                ("metadata", "crowdsim_state_names", "", ",".join(STATE_NAMES)),
            ]
        )
        writer.write_agents(self._agent_rows())

    def frame(self, n_steps: int, state: CrowdState) -> None:
        """Write the people inside as a frame if step ``n_steps`` falls on the frame rate."""
        if self.writer is None or n_steps % self.every:
            return
        frame = n_steps // self.every
        ids = np.flatnonzero(state.active)
        self.writer.write_events(self._events(frame))
        codes = states(self.model)
        changed = np.flatnonzero((codes != self._codes) & (codes >= 0))
        self._codes = codes
        if len(changed):
            self.writer.write_states(frame, changed, codes[changed])
        self.writer.write_frame(frame, ids, state.pos[ids], state.vel[ids])

    def people(self, venue: Venue, people: Population, state: CrowdState) -> None:
        """Write each person's attributes and outcome at the end of the run."""
        if self.writer is not None:
            self.writer.write_agents(self._agent_rows())

    def _agent_rows(self) -> list[AgentRow]:
        m = self.model
        s, status, venue = m.state, m.status, m.venue
        groups = [g.name for g in m.scenario.population.effective_groups]
        targets = m.router.nav.target_names
        names = venue.exit_names
        rows: list[AgentRow] = []
        for i in range(len(s)):
            g, tgt, ex = int(m.people.group[i]), int(s.target[i]), int(s.exit_id[i])
            rows.append(
                (
                    i,
                    origin(venue, m.people, i),
                    groups[g] if 0 <= g < len(groups) else str(g),
                    float(s.v0[i]),
                    float(s.radius[i]),
                    float(s.t_start[i]),
                    targets[tgt] if tgt >= 0 else None,
                    names[ex] if ex >= 0 else None,
                    None if np.isnan(s.exit_time[i]) else float(s.exit_time[i]),
                    STATUS_NAMES[int(status.code[i])],
                    None if np.isnan(status.safe_time_s[i]) else float(status.safe_time_s[i]),
                )
            )
        return rows

    def _events(self, frame: int) -> list[EventRow]:
        """What happened on the timeline since the last frame."""
        m = self.model
        t = m.time_s
        rows: list[EventRow] = []
        while self._alarms and self._alarms[0][0] <= t + 1e-9:
            at_s, zone = self._alarms.pop(0)
            rows.append((frame, at_s, "alarm", zone, f"alarm raised in zone {zone!r}", *_NONE))
        is_open = np.asarray(m.engine.exit_open, np.bool_)
        for k in np.flatnonzero(is_open != self._exit_open):
            name = m.venue.exits[k].name
            if is_open[k]:
                rows.append((frame, t, "exit opened", name, f"exit {name!r} opened", *_NONE))
            else:
                why = "a hazard area covers it" if m.timeline.lost_to_hazard[k] else "closed"
                rows.append((frame, t, "exit closed", name, f"exit {name!r} closed: {why}", *_NONE))
        self._exit_open = is_open.copy()
        shelter_open = np.asarray(m.router.shelter_open, np.bool_)
        for k in np.flatnonzero(shelter_open != self._shelter_open):
            shelter = m.venue.shelters[k]
            full = m.shelters.occupancy[k] >= shelter.capacity
            kind = "shelter full" if full else "shelter locked"
            what = f"full ({shelter.capacity} people)" if full else "locked"
            rows.append((frame, t, kind, shelter.name, f"shelter {shelter.name!r} {what}", *_NONE))
        self._shelter_open = shelter_open.copy()
        for j, threat in enumerate(m.timeline.threats):
            if not threat.active(t):
                continue
            x, y = threat.position(t)
            r = float(threat.hazard_radius_m)
            if j not in self._threats_seen:
                self._threats_seen.add(j)
                rows.append((frame, threat.onset_s, "threat", threat.name, "appears", x, y, r))
            rows.append((frame, t, "hazard", threat.name, "hazard area", x, y, r))
        return rows


_NONE = (None, None, None)


def states(model: _Recorded) -> np.ndarray:
    """(n,) state code of every person now (:data:`STATE_NAMES`; −1 for people not yet there)."""
    s, code, ingress = model.state, model.status.code, model.ingress
    t = model.time_s
    out = np.full(len(code), -1, np.int64)
    inside = code == INSIDE
    held = inside & (s.t_start > t + 1e-9)
    screened = (ingress.entry >= 0) & (ingress.stage != TO_GATE)
    out[inside] = MOVING
    out[inside & (ingress.stage == TO_GATE)] = QUEUING
    out[held] = WAITING
    out[held & screened] = SCREENING
    out[code == SHELTERED] = SHELTERED_STATE
    out[code == EVACUATED] = EVACUATED_STATE
    out[code == ENTERED] = ENTERED_STATE
    return out


def features(venue: Venue) -> list[FeatureRow]:
    """The venue's features as rows: kind, name, WKT geometry, detail."""
    rows: list[FeatureRow] = [
        ("area", venue.name, venue.area.wkt, venue.layout),
        ("walkable", venue.layout, venue.walkable.wkt, ""),
    ]
    rows += [("obstacle", o.name, o.geometry.wkt, o.kind) for o in venue.obstacles]
    rows += [("exit", e.name, e.line.wkt, f"{e.width_m:.2f} m") for e in venue.exits]
    rows += [
        ("closed exit", e.name, e.line.wkt, "closed by the layout") for e in venue.closed_exits
    ]
    rows += [("shelter", s.name, s.area.wkt, f"capacity {s.capacity}") for s in venue.shelters]
    rows += [("gate", g.name, g.line.wkt, g.checkpoint) for g in venue.gates]
    rows += [("zone", z.name, z.area.wkt, f"{z.people} people") for z in venue.zones]
    rows += [("region", r.name, r.area.wkt, " ".join(r.tags)) for r in venue.regions]
    rows += [
        ("speed zone", z.name, z.area.wkt, f"{z.kind} ×{z.factor:g}") for z in venue.speed_zones
    ]
    return rows


def _alarms(model: _Recorded) -> list[tuple[float, str]]:
    """Alarm time of every zone people start in (0 unless the scenario stages it), in order."""
    spec = model.scenario.population
    used = set(np.unique(model.people.zone[model.people.zone >= 0]).tolist())
    alarms = []
    for k, zone in enumerate(model.venue.zones):
        if k in used:
            override = spec.zones.get(zone.name)
            alarms.append((float(override.alarm_s) if override else 0.0, zone.name))
    return sorted(alarms)


def origin(venue: Venue, people: Population, i: int) -> str:
    """Where person ``i`` came from, in words: their start zone, or placed by hand."""
    k = int(people.zone[i])
    return f"zone {venue.zones[k].name!r}" if k >= 0 else "people placed by hand"
