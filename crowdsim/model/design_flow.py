"""Design flows for fire engineers: every exit limited as the hydraulic (capacity) method assumes.

The flows that emerge at a door in the simulation (about 2.0–2.2 persons/(m·s) of clear width,
as measured in bottleneck experiments) are about 1.7 times the design flows regulators work
with. A fire engineer checking a venue against a hand calculation can ask every exit to pass at
most the design flow instead: the maximum specific flow of 1.3 persons/(s·m) of *effective*
width for doorways, corridors and ramps (SFPE Handbook of Fire Protection Engineering, the
hydraulic model of Nelson & Mowrer / Gwynne & Rosenbaum; IMO MSC.1/Circ.1533 uses the same
1.3 persons/(m·s) for doors and corridors), the effective width being the clear width less a
boundary layer of 0.15 m on each side (SFPE: door jambs and stairway walls; corridor walls
0.20 m). Explicit per-door limits (``max_flow_p_s``) still apply where they are stricter.
"""

from __future__ import annotations

from dataclasses import dataclass

from crowdsim.venue import Venue


@dataclass(frozen=True, kw_only=True)
class DesignFlow:
    """The design flow applied to every exit.

    Attributes:
        specific_flow_pms: Flow per metre of effective width (persons/(m·s)); 1.3 (SFPE,
            IMO MSC.1/Circ.1533).
        boundary_layer_m: Width lost at each side of an opening (m); 0.15 (SFPE, doors).
    """

    specific_flow_pms: float = 1.3
    boundary_layer_m: float = 0.15

    def __post_init__(self) -> None:
        if not self.specific_flow_pms > 0:
            raise ValueError(f"specific_flow_pms must be > 0, got {self.specific_flow_pms!r}")
        if not self.boundary_layer_m >= 0:
            raise ValueError(f"boundary_layer_m must be ≥ 0, got {self.boundary_layer_m!r}")

    def effective_width_m(self, width_m: float) -> float:
        """Clear width less the boundary layers (m), never below zero."""
        return max(width_m - 2.0 * self.boundary_layer_m, 0.0)

    def max_flow_p_s(self, width_m: float) -> float:
        """Design flow (persons/s) of an opening ``width_m`` wide."""
        return self.specific_flow_pms * self.effective_width_m(width_m)


def exit_limits(venue: Venue, design: DesignFlow | None) -> list[float | None]:
    """Each open exit's flow limit (persons/s): its own, the design flow, or the stricter."""
    limits: list[float | None] = []
    for e in venue.exits:
        own = e.max_flow_p_s
        if design is None:
            limits.append(own)
            continue
        flow = design.max_flow_p_s(e.width_m)
        limits.append(flow if own is None else min(own, flow))
    return limits
