"""Social-force parameters with their published sources."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np


@dataclass(frozen=True)
class SocialForceParams:
    """Parameters of the Helbing–Farkas–Vicsek (2000) social-force model, SI units.

    Defaults are the published values of Helbing, Farkas & Vicsek, "Simulating dynamical features
    of escape panic", Nature 407:487 (2000), unless stated otherwise.

    Attributes:
        mass_kg: Body mass m (80 kg, HFV 2000).
        tau_s: Relaxation time τ of the driving term (0.5 s, HFV 2000).
        a_n: Strength A of the exponential repulsion (2000 N, HFV 2000).
        b_m: Range B of the exponential repulsion (0.08 m, HFV 2000).
        k_kg_s2: Body-compression coefficient k (1.2·10⁵ kg/s², HFV 2000).
        kappa_kg_ms: Sliding-friction coefficient κ (2.4·10⁵ kg/(m·s), HFV 2000).
        interaction_range_m: Gap beyond contact over which repulsion is evaluated (0.5 m): there
            A·exp(−0.5/B) is below 0.2 % of A, so the cut-off changes no published result.
        speed_cap_factor: Speeds are capped at this multiple of each person's desired speed
            (1.3, Helbing & Molnár 1995, Phys. Rev. E 51:4282).
        dt_s: Integration time step (0.01 s): stable for the contact stiffness k/m at the
            densities of the verification suite (ω·dt ≈ 0.39 for k = 1.2·10⁵, m = 80).
        wall_social_cap: The part of the social (exponential) wall repulsion, summed over all
            walls, that pushes against a person's walking direction is capped at this share of
            the driving-force scale m·v0/τ (0.8). Without the cap the two jambs of a 1 m door
            push a lone person back with up to 141 N (radius 0.35 m) against a drive of
            160·v0 N, so anybody slower than 0.88 m/s stood in front of the door for good. The
            sideways part, which keeps people centred in a door, is left whole; the body force
            k·g and the crossing guard still keep everybody out of the walls.
    """

    mass_kg: float = 80.0
    tau_s: float = 0.5
    a_n: float = 2000.0
    b_m: float = 0.08
    k_kg_s2: float = 1.2e5
    kappa_kg_ms: float = 2.4e5
    interaction_range_m: float = 0.5
    speed_cap_factor: float = 1.3
    dt_s: float = 0.01
    wall_social_cap: float = 0.8

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"social-force parameter {f.name} must be ≥ 0, got {value}")
        for name in ("mass_kg", "tau_s", "b_m", "dt_s", "speed_cap_factor"):
            if getattr(self, name) <= 0:
                raise ValueError(f"social-force parameter {name} must be > 0")
        if self.dt_s > 0.05:
            raise ValueError(
                f"dt_s = {self.dt_s} s is too large for the contact forces; use ≤ 0.05"
            )

    def as_array(self) -> np.ndarray:
        """The parameters in the order :mod:`crowdsim.dynamics.kernel` reads them."""
        return np.array(
            [
                self.mass_kg,
                self.tau_s,
                self.a_n,
                self.b_m,
                self.k_kg_s2,
                self.kappa_kg_ms,
                self.interaction_range_m,
                self.speed_cap_factor,
                self.wall_social_cap,
            ],
            dtype=np.float64,
        )

    def to_dict(self) -> dict[str, float]:
        """Plain dictionary, e.g. for result metadata."""
        return asdict(self)
