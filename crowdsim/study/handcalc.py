"""The hand-calculation cross-check: the capacity (hydraulic) method for each layout.

A reviewer at a fire authority checks a simulation against a hand calculation. The capacity
method of the SFPE Handbook (hydraulic model) and BS PD 7974-6 treats the exits as the
constraint:

- effective width of each open exit: ``We = W − 2 b``, the clear width less a boundary layer
  ``b`` at each jamb (0.15 m for doors, SFPE Handbook after Pauls);
- flow time ``t_flow = N / (Fs · Σ We)`` with the maximum specific flow ``Fs`` = 1.3 persons per
  metre of effective width per second for doors and corridors (SFPE Handbook; IMO
  MSC.1/Circ.1533 uses the same 1.3 for doors and corridors);
- walking time of the person farthest (by walking distance) from their nearest exit, at their
  desired speed, ``t_walk``; and the nearest person's, ``t_near``;
- pre-movement: the 1st and 99th percentile of the people's pre-movement ends (PD 7974-6 takes
  the first and last occupants' percentiles).

The last person is out at ``T = max(t_pre99 + t_walk, t_pre1 + t_near + t_flow)``: either the
last to start walks the farthest way unimpeded, or the exits pass everybody at their capacity
from the moment the first person reaches one. The people, their start positions and their
pre-movement times are those of the study's first run (common random numbers make them the
same in every layout); the walking distances come from the layout's navigation fields.

The method does not apply to runs where people shelter, arrive (ingress) or avoid threats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from crowdsim.model.scenario import Scenario
from crowdsim.study.runner import build
from crowdsim.study.studyfile import HandCalculation


@dataclass(frozen=True, kw_only=True)
class HandResult:
    """The capacity method for one scenario and layout.

    Attributes:
        applies: False where the method does not apply (``reason`` says why).
        reason: Why it does not apply.
        people: People evacuating.
        exits: Open exits: name, clear width (m), effective width (m).
        effective_width_m: Σ effective widths (m).
        flow_time_s: ``N / (Fs · Σ We)`` (s).
        walk_far_s: Walking time of the farthest person (s).
        walk_near_s: Walking time of the nearest person (s).
        far_distance_m: Walking distance of the farthest person (m).
        premovement_1_s: 1st percentile of pre-movement ends (s).
        premovement_99_s: 99th percentile of pre-movement ends (s).
        total_s: The hand-calculated evacuation time (s).
        settings: The specific flow, boundary layer and margin used.
    """

    applies: bool
    reason: str = ""
    people: int = 0
    exits: tuple[tuple[str, float, float], ...] = ()
    effective_width_m: float = 0.0
    flow_time_s: float = float("nan")
    walk_far_s: float = float("nan")
    walk_near_s: float = float("nan")
    far_distance_m: float = float("nan")
    premovement_1_s: float = float("nan")
    premovement_99_s: float = float("nan")
    total_s: float = float("nan")
    settings: HandCalculation = field(default_factory=HandCalculation)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values (for the results store)."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "settings"}
        out["exits"] = [list(e) for e in self.exits]
        out["settings"] = {
            "specific_flow_p_ms": self.settings.specific_flow_p_ms,
            "boundary_layer_m": self.settings.boundary_layer_m,
            "margin_pct": self.settings.margin_pct,
        }
        return out


def hand_calculation(
    scenario: Scenario, *, layout: str, seed: int, settings: HandCalculation
) -> HandResult:
    """The capacity method for ``scenario`` with ``layout``, people as drawn with ``seed``.

    Raises:
        CrowdsimError: If the scenario cannot be set up with this layout.
    """
    why = _not_applicable(scenario)
    if why:
        return HandResult(applies=False, reason=why, settings=settings)
    model = build(scenario, seed=seed, layout=layout)
    people = model.people
    if (people.hide).any():
        return HandResult(
            applies=False, reason="people shelter rather than leave", settings=settings
        )
    n = len(people)
    venue = model.venue
    exits = tuple(
        (e.name, e.line.length, max(0.0, e.line.length - 2 * settings.boundary_layer_m))
        for e in venue.exits
    )
    width = sum(e[2] for e in exits)
    if n == 0 or width <= 0:
        return HandResult(applies=False, reason="no people or no exit width", settings=settings)
    nav = model.navigation
    distance = nav.distance_matrix(people.pos, nav.of_kind("exit")).min(axis=1)
    walk = distance / people.v0
    far = int(np.argmax(walk))
    t_pre = people.t_start
    flow = n / (settings.specific_flow_p_ms * width)
    pre1, pre99 = (float(v) for v in np.percentile(t_pre, [1, 99]))
    total = max(pre99 + float(walk[far]), pre1 + float(walk.min()) + flow)
    return HandResult(
        applies=True,
        people=n,
        exits=exits,
        effective_width_m=width,
        flow_time_s=flow,
        walk_far_s=float(walk[far]),
        walk_near_s=float(walk.min()),
        far_distance_m=float(distance[far]),
        premovement_1_s=pre1,
        premovement_99_s=pre99,
        total_s=total,
        settings=settings,
    )


def _not_applicable(scenario: Scenario) -> str:
    if scenario.ingress is not None:
        return "ingress: people arrive over time and pass screening"
    if scenario.threats:
        return "threats: routes change while people leave"
    if scenario.events:
        return "timeline events change the exits during the run"
    return ""
