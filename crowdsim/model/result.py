"""The outcome of one run as plain, picklable data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import mesa
import numpy as np
import pandas as pd

from crowdsim.dynamics.crowd import CrowdState
from crowdsim.dynamics.params import SocialForceParams
from crowdsim.model import columns
from crowdsim.model.audit import OverlapTally
from crowdsim.model.ingress import Ingress
from crowdsim.model.metrics import CrowdingRecorder, DensityMap
from crowdsim.model.movement import Movement, StillInside, still_inside
from crowdsim.model.population import Population
from crowdsim.model.routing import Router
from crowdsim.model.stairs import StairTraffic
from crowdsim.model.status import ABSENT, ENTERED, EVACUATED, INSIDE, SHELTERED, Status
from crowdsim.model.timeline import Timeline
from crowdsim.venue import Venue


class _Finished(Protocol):
    """What a result is made of: the model's processes at the end of a run."""

    venue: Venue
    seed: int | None
    params: SocialForceParams
    step_s: float
    people: Population
    state: CrowdState
    status: Status
    ingress: Ingress
    router: Router
    timeline: Timeline
    movement: Movement
    n_steps: int
    crowding: CrowdingRecorder
    datacollector: mesa.DataCollector
    exit_counts: np.ndarray
    wall_penetrations: int
    wall_overlap: OverlapTally
    refused_moves: int
    stairs: StairTraffic

    @property
    def time_s(self) -> float:
        """Simulated time (s)."""


@dataclass(frozen=True, eq=False, kw_only=True)
class RunResult:
    """Facts of one finished run.

    Times are seconds from the alarm (t = 0). A person's *exit time* is the moment their centre
    crossed an exit line; it includes their pre-movement time.

    Attributes:
        venue: Venue name.
        layout: Layout name.
        seed: Seed of the run.
        agents: People in the run (at the start, plus arrivals in ingress scenarios).
        evacuated: People who left through an exit.
        completed: True if everybody reached safety (left, sheltered or, for ingress, entered)
            before the time limit.
        evacuation_time_s: Time the last person reached safety (NaN if not everybody did).
        p95_exit_time_s: 95th percentile of the individual exit times of everybody (NaN if
            fewer than 95 % left).
        per_exit: Exit name → people who left through it (every open exit listed).
        simulated_time_s: Simulated time at the end of the run.
        wall_time_s: Computing time of the run.
        wall_penetrations: Person-checks (one per person per model step) that found a centre
            outside the walkable area; 0 in a sound run.
        refused_moves: Integrator moves refused because they would have crossed a wall.
        wall_overlap_max_m: Deepest overlap of a body (a disc of the person's radius) with a
            wall, sampled on the metrics cadence (m). The social force lets bodies press
            into walls under load; a few centimetres in a dense crowd, more in a gap narrower
            than the body.
        wall_overlap_person_s_above_1cm: Person-seconds with a body overlapping a wall by more
            than 1 cm.
        wall_overlap_person_s_above_5cm: Person-seconds with a body overlapping a wall by more
            than 5 cm.
        exit_times_s: (agents,) per-person exit time (NaN if still inside).
        exit_index: (agents,) per-person exit index into ``exit_names`` (−1 if still inside).
        exit_names: Names of the open exits.
        timeseries: One row per collected step: ``time_s``, ``remaining``, ``evacuated`` and
            ``exit:<name>`` cumulative counts; with shelters ``sheltered``, ``unprotected`` and
            ``shelter:<name>`` occupancy; with ingress ``entered`` and ``queue:<checkpoint>``.
        params: Model settings (dt, step, social-force parameters) for the record.
        sheltered: People inside a shelter at the end.
        entered: People who reached the destination of an ingress scenario.
        time_to_safety_s: (agents,) time each person left, was sheltered or entered (NaN: not).
        status: (agents,) final status name per person (``inside``, ``evacuated``...).
        crowding: Exposure figures: ``max_density_pm2``, ``person_s_above_2pm2``,
            ``person_s_above_4pm2``, ``los_person_s`` (Fruin class → person-seconds),
            ``los_people_share`` (Fruin class → share of the people whose highest local
            density fell in it),
            ``hazard_person_s`` and, with unprotected regions, ``unprotected_*`` figures.
        density_map: Per-cell maximum density and time above 2 and 4 persons/m².
        waits_s: (screened,) waiting time of each screened person (s): service start minus
            arrival minus their free walking time to the lane.
        start_pos_m: (agents, 2) where each person started (m; NaN for ingress arrivals, who
            appear in their entry region).
        end_pos_m: (agents, 2) where each person was at the end (m; NaN if never arrived).
        group: (agents,) each person's group, an index into the population's groups.
        v0_m_s: (agents,) each person's desired speed (m/s).
        still_inside: The people inside at the end, by the target they were heading for, with
            how many of them moved in the last minute (empty for a completed run).
        per_stair: Stair name → people who stepped onto it (multi-level venues; every open
            stair listed).
        stair_entries_s: Stair name → the times (s) people stepped onto it, in order.
    """

    venue: str
    layout: str
    seed: int | None
    agents: int
    evacuated: int
    completed: bool
    evacuation_time_s: float
    p95_exit_time_s: float
    per_exit: dict[str, int]
    simulated_time_s: float
    wall_time_s: float
    wall_penetrations: int
    refused_moves: int
    exit_times_s: np.ndarray
    exit_index: np.ndarray
    exit_names: tuple[str, ...]
    timeseries: pd.DataFrame = field(repr=False)
    params: dict[str, Any] = field(default_factory=dict, repr=False)
    sheltered: int = 0
    entered: int = 0
    time_to_safety_s: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    status: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object), repr=False)
    crowding: dict[str, Any] = field(default_factory=dict, repr=False)
    density_map: DensityMap | None = field(default=None, repr=False)
    waits_s: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    start_pos_m: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)), repr=False)
    end_pos_m: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)), repr=False)
    group: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    v0_m_s: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    still_inside: tuple[StillInside, ...] = ()
    per_stair: dict[str, int] = field(default_factory=dict)
    stair_entries_s: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    wall_overlap_max_m: float = 0.0
    wall_overlap_person_s_above_1cm: float = 0.0
    wall_overlap_person_s_above_5cm: float = 0.0

    @classmethod
    def from_model(cls, model: _Finished, *, wall_time_s: float = 0.0) -> RunResult:
        """The facts of a model's run so far."""
        s, status = model.state, model.status
        n = len(s)
        completed = status.all_safe
        table = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        c = model.crowding
        crowding: dict[str, Any] = {
            "max_density_pm2": c.max_density_pm2,
            "person_s_above_2pm2": c.person_s_above[2.0],
            "person_s_above_4pm2": c.person_s_above[4.0],
            "los_person_s": dict(c.los_person_s),
            "los_people_share": c.worst_level_shares(),
        }
        if model.timeline.threats:
            crowding["hazard_person_s"] = c.hazard_person_s
        if c.unprotected is not None:
            crowding["unprotected_max_density_pm2"] = c.unprotected_max_pm2
            crowding["unprotected_person_s_above_2pm2"] = c.unprotected_person_s_above[2.0]
            crowding["unprotected_person_s_above_4pm2"] = c.unprotected_person_s_above[4.0]
        inside = status.code == INSIDE
        from_start = model.ingress.entry < 0
        placed = status.code != ABSENT
        return cls(
            venue=model.venue.name,
            layout=model.venue.layout,
            seed=model.seed,
            agents=n,
            evacuated=status.count(EVACUATED),
            completed=completed,
            evacuation_time_s=float(np.nanmax(status.safe_time_s)) if completed and n else np.nan,
            p95_exit_time_s=p95(s.exit_time),
            per_exit={
                name: int(model.exit_counts[k]) for k, name in enumerate(model.venue.exit_names)
            },
            simulated_time_s=model.time_s,
            wall_time_s=wall_time_s,
            wall_penetrations=model.wall_penetrations,
            refused_moves=model.refused_moves,
            exit_times_s=s.exit_time.copy(),
            exit_index=s.exit_id.copy(),
            exit_names=model.venue.exit_names,
            timeseries=table,
            params={"step_s": model.step_s, **model.params.to_dict()},
            sheltered=status.count(SHELTERED),
            entered=status.count(ENTERED),
            time_to_safety_s=status.safe_time_s.copy(),
            status=status.names(),
            crowding=crowding,
            density_map=c.density_map(),
            waits_s=model.ingress.waits(),
            start_pos_m=np.where(from_start[:, None], model.people.pos, np.nan),
            end_pos_m=np.where(placed[:, None], s.pos, np.nan),
            group=model.people.group.copy(),
            v0_m_s=s.v0.copy(),
            still_inside=still_inside(
                inside,
                s.target,
                model.router.nav.target_names,
                model.movement.moved(model.n_steps, s.pos),
                s.pos,
            ),
            per_stair=model.stairs.per_stair,
            stair_entries_s={k: np.array(v) for k, v in model.stairs.entries_s.items()},
            wall_overlap_max_m=model.wall_overlap.max_m,
            wall_overlap_person_s_above_1cm=model.wall_overlap.person_s_above[0.01],
            wall_overlap_person_s_above_5cm=model.wall_overlap.person_s_above[0.05],
        )

    @property
    def per_exit_flow_p_s(self) -> dict[str, float | None]:
        """Mean flow through each exit (persons/s) between its first and last user."""
        out: dict[str, float | None] = {}
        for k, name in enumerate(self.exit_names):
            t = np.sort(self.exit_times_s[self.exit_index == k])
            out[name] = (len(t) - 1) / (t[-1] - t[0]) if len(t) > 1 and t[-1] > t[0] else None
        return out

    @property
    def stuck(self) -> int:
        """People inside at the end who had not moved more than half a metre in the last minute."""
        return sum(g.people - g.moved for g in self.still_inside)

    @property
    def remaining(self) -> int:
        """People not (yet) safe at the end: inside, or not arrived."""
        return self.agents - self.evacuated - self.sheltered - self.entered

    def summary(self) -> dict[str, Any]:
        """The headline facts as JSON-ready values (NaN becomes None)."""
        out = {
            "venue": self.venue,
            "layout": self.layout,
            "seed": self.seed,
            "agents": self.agents,
            "evacuated": self.evacuated,
            "remaining": self.remaining,
            "completed": self.completed,
            "still_inside": sum(g.people for g in self.still_inside),
            "stuck": self.stuck,
            "evacuation_time_s": _num(self.evacuation_time_s),
            "p95_exit_time_s": _num(self.p95_exit_time_s),
            "per_exit": dict(self.per_exit),
            "per_exit_flow_p_s": {k: _num(v) for k, v in self.per_exit_flow_p_s.items()},
            "simulated_time_s": round(self.simulated_time_s, 6),
            "wall_time_s": round(self.wall_time_s, 3),
            "real_time_factor": _num(self.simulated_time_s / self.wall_time_s)
            if self.wall_time_s > 0
            else None,
            "wall_penetrations": self.wall_penetrations,
            "wall_overlap_max_m": _num(self.wall_overlap_max_m),
            "wall_overlap_person_s_above_1cm": _num(self.wall_overlap_person_s_above_1cm),
            "wall_overlap_person_s_above_5cm": _num(self.wall_overlap_person_s_above_5cm),
            "refused_moves": self.refused_moves,
            "max_density_pm2": _num(self.crowding.get("max_density_pm2", float("nan"))),
            "person_s_above_2pm2": _num(self.crowding.get("person_s_above_2pm2", float("nan"))),
            "person_s_above_4pm2": _num(self.crowding.get("person_s_above_4pm2", float("nan"))),
        }
        for key in ("hazard_person_s", "unprotected_max_density_pm2"):
            if key in self.crowding:
                out[key] = _num(self.crowding[key])
        for key in ("unprotected_person_s_above_2pm2", "unprotected_person_s_above_4pm2"):
            if key in self.crowding:
                out[key] = _num(self.crowding[key])
        if self.per_stair:
            out["per_stair"] = dict(self.per_stair)
        if columns.SHELTERED in self.timeseries.columns:
            out["sheltered"] = self.sheltered
            out["unprotected"] = self.remaining
        if columns.ENTERED in self.timeseries.columns:
            out["entered"] = self.entered
            out["mean_wait_s"] = _num(float(np.mean(self.waits_s))) if len(self.waits_s) else None
            out["max_wait_s"] = _num(float(np.max(self.waits_s))) if len(self.waits_s) else None
        return out


def p95(exit_times_s: np.ndarray) -> float:
    """95th percentile of individual exit times over everybody; NaN while under 95 % are out."""
    n = len(exit_times_s)
    if n == 0:
        return float("nan")
    out = np.sort(exit_times_s[np.isfinite(exit_times_s)])
    rank = int(np.ceil(0.95 * n))  # nearest-rank definition
    return float(out[rank - 1]) if len(out) >= rank else float("nan")


def _num(x: float | None) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), 6)
