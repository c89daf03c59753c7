"""Social-force parameters with their published sources."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace

import numpy as np

#: Where competitiveness 1 takes each parameter: the escape-panic model of Helbing, Farkas &
#: Vicsek 2000 (relaxation time 0.5 s, isotropic repulsion, wall range 0.08 m, no personal
#: space from people or walls, no headway, and the whole short-range repulsion of somebody
#: beside one's path braking). Values in between are interpolated linearly.
PANIC_PARAMS = {
    "tau_s": 0.5,
    "anisotropy": 1.0,
    "space_a_n": 0.0,
    "headway_s": 0.0,
    "wall_b_m": 0.08,
    "beside_brake_share": 1.0,
}
#: Caps on the social forces against the walking direction; competitiveness c divides them by
#: 1 − c, so that a fully competitive crowd (c = 1) has none, as in HFV 2000.
SOCIAL_CAPS = ("social_cap", "wall_social_cap")
#: Longest interval of the slow pair forces (s): a model step.
MAX_SOCIAL_DT_S = 0.1
#: Interval of the slow pair forces (s) unless set (see SocialForceParams.social_dt_s).
SOCIAL_DT_S = 0.05


def social_dt_for(dt_s: float) -> float:
    """The longest whole multiple of ``dt_s`` up to :data:`SOCIAL_DT_S` (at least ``dt_s``)."""
    return max(1, math.floor(SOCIAL_DT_S / dt_s + 1e-9)) * dt_s


@dataclass(frozen=True)
class SocialForceParams:
    """Parameters of the social-force model, SI units, calibrated against measured crowds.

    The forces follow Helbing, Farkas & Vicsek, "Simulating dynamical features of escape panic",
    Nature 407:487 (2000) (HFV): a driving term, an isotropic short-range repulsion, body
    compression and sliding friction. From Helbing & Molnár, Phys. Rev. E 51:4282 (1995) come a
    longer-range *personal-space* repulsion, the anisotropy of both repulsions (people ahead count
    more than people behind) and individual fluctuations. The defaults marked *calibrated* were
    fitted together with the body radius (:mod:`crowdsim.model.profiles`) to the Wuppertal and
    HERMES bottleneck flows and to Weidmann's fundamental diagram; ``docs/validation.md``
    documents the fit and the differences that remain.

    Attributes:
        mass_kg: Body mass m (80 kg, HFV 2000).
        tau_s: Relaxation time τ of the driving term (0.3 s, calibrated; HFV 2000 use 0.5 s).
        a_n: Strength A of the short-range repulsion (2000 N, HFV 2000).
        b_m: Range B of the short-range repulsion (0.08 m, HFV 2000).
        k_kg_s2: Body-compression coefficient k (1.2·10⁵ kg/s², HFV 2000).
        kappa_kg_ms: Sliding-friction coefficient κ (2.4·10⁵ kg/(m·s), HFV 2000).
        interaction_range_m: Gap beyond contact over which repulsion is evaluated (1.0 m): there
            the personal-space term has fallen to exp(−1/0.3) ≈ 4 % of its strength.
        speed_cap_factor: Speeds are capped at this multiple of each person's desired speed
            (1.3, Helbing & Molnár 1995).
        dt_s: Integration time step (0.01 s): stable for the contact stiffness k/m at the
            densities of the verification suite (ω·dt ≈ 0.39 for k = 1.2·10⁵, m = 80).
        social_dt_s: Interval (s) at which the slowly changing pair forces are evaluated
            (0.05 s; multiple time stepping, see :mod:`crowdsim.dynamics.forces`): the
            personal space and short-range repulsion of pairs more than 0.25 m apart (plus
            what they can close meanwhile) are held for this long, while body forces,
            friction, the forces of nearer pairs, walls, the driving term and fluctuations are
            evaluated every ``dt_s``. A whole multiple of ``dt_s``, at most 0.1 s; ``dt_s``
            evaluates everything every step. A scenario that sets ``dt_s`` alone gets the
            longest multiple of it up to 0.05 s (:func:`social_dt_for`). In 0.05 s a walker
            covers 0.07 m, a quarter of the personal space's range; the validation suite gives
            the same values, within the spread between seeds, as with every pair evaluated
            every step, and the kernel runs 1.5–2 times as fast (docs/validation.md, step 11).
        wall_social_cap: The part of the social wall repulsion, summed over all walls, that
            pushes against a person's walking direction is capped at this share of the
            driving-force scale m·v_d/τ (0.8), v_d the desired speed on the floor underfoot
            (v0 times the speed factor of stairs). Without the cap the two jambs of a 1 m door
            held anybody slower than 0.88 m/s in front of the door for good. The sideways part,
            which
            keeps people centred in a door, is left whole; the body force k·g and the crossing
            guard still keep everybody out of the walls. ``inf``: no cap.
        wall_a_n: Strength of the social wall repulsion (2000 N, HFV 2000).
        wall_b_m: Range of the social wall repulsion (0.04 m, calibrated: HFV's 0.08 m keeps
            people off the jambs of narrow doors and halves their flow).
        fluctuation_m_s: Individual fluctuations (Helbing & Molnár 1995): white noise that,
            relaxed with τ, gives the velocity this standard deviation per axis (0.1 m/s). It is
            scaled by the person's shortfall from their desired speed, so a free walker walks
            straight and somebody held up in a crowd fidgets; it breaks the symmetric deadlocks
            of the deterministic model (two people pressing on a door mouth from both sides).
            The random numbers are a hash of the run's seed, the step and the person, so runs
            are reproducible for any number of threads.
        anisotropy: Weight λ of the social repulsion (both exponential terms) from a person
            straight behind, relative to one straight ahead: λ + (1 − λ)(1 + cos φ)/2 (0.45,
            calibrated). With isotropic forces (λ = 1) the push of everybody behind reaches the
            door: a 2 m door passed 2.1 persons/(m·s) with 150 people waiting and 3.5 with 500,
            and in a periodic corridor the mean speed hardly fell with density.
        social_cap: The social (exponential) repulsion from other people may act along a
            person's walking direction with at most this share of m·v_d/τ (1.0), either way:
            it can slow a person down to a stand but not make them walk backwards, and hurry
            them on by at most their own drive; only bodies in contact push anybody. Without
            the cap against the walking direction a dense periodic corridor drifted
            backwards; without the cap along it the people behind pushed the person in the
            mouth of a funnelled 0.5 m opening through at 2.86 persons/(m·s), against the
            2.0–2.5 measured through single-person openings (docs/validation.md, step 15).
            ``inf``: no cap (a competitive crowd, :meth:`competitive`).
        space_a_n: Strength of the personal-space repulsion (250 N, calibrated). Walking
            people keep the same personal space from walls, at the gap between body and wall
            (the repulsion from borders of Helbing & Molnár 1995, with the personal space's
            strength and range): where there is room they walk off the jambs, so a door or
            gap of two lanes loses more of its width to its edges than a wide opening does,
            as the boundary layers of the design guides and the measured flows say
            (docs/validation.md, step 16).
        space_b_m: Range of the personal-space repulsion (0.3 m, Helbing & Molnár 1995).
        headway_s: Time headway T (0.6 s, calibrated). The personal space towards somebody
            in one's way reaches further by the distance walked in this time: the term is
            evaluated at the gap minus T·|v|. So the distance kept in a file grows with speed,
            as Seyfried et al., J. Stat. Mech. P10002 (2005) measured (0.36 m + 1.06 s·v in
            single file). Somebody ahead but beside one's path (centre more than 3/4 of the
            two radii aside; fully in the way within 1/2) is not in the way: their personal
            space steers one aside without braking, so that two files interleave as in the
            zipper of a bottleneck (Hoogendoorn & Daamen 2005). With T = 0 the personal space
            is the isotropic term of Helbing & Molnár.
        headway_max_m: The headway reach T·|v| is capped at this length (0.8 m), which bounds
            the range of the pair forces for fast walkers.
        beside_brake_share: Share of the short-range repulsion (A, B) of somebody ahead and
            beside one's path that acts against one's walking direction (0.7, calibrated);
            its sideways part acts whole. Beside means beside both the walking and the
            desired direction (by the measure of ``headway_s``), so somebody in either path
            brakes with the whole term. In front of the HERMES 3.0 m opening people stand
            level with neighbours 0.3–0.4 m to their side, nearer than shoulder breadth; with
            the whole term such a neighbour a step ahead braked the walker harder than their
            drive, the crowd stayed at 2.9 persons/m² against the 4.9 measured, and the
            opening passed 1.91 persons/(m·s) against 2.39. The value lies between the
            bounds of that replica (at most about 0.76) and of 500 people at a 2 m door (at
            least about 0.64, above which they pass more than 2.6 persons/(m·s));
            docs/validation.md, step 16. 1: HFV's whole term (a competitive crowd).
        run_out_s: People who pass an exit walk on straight beyond it for this long (2 s)
            before they are removed, at their desired speed, and keep their room meanwhile: the
            next person through a door in a wall has somebody ahead, as at a real door. Removed
            on the door line, people left a 2 m door in a wall at 3.3 persons/(m·s) against
            the 1.9–2.4 measured where the crowd walks on beyond the opening. 2 s at 1.34 m/s
            carries a person 2.7 m on, beyond the reach of the pair forces.
        turn_aperture_ratio: People turn their shoulders to pass an opening narrower than
            this multiple of their shoulder breadth 2r (1.3: the critical aperture of Warren &
            Whang, J. Exp. Psychol. HPP 13:371 (1987)), the more the narrower the opening, as
            Higuchi et al. (2006) and Wilmut et al. (2010) measured: not at all at 1.3·2r,
            fully at 2r and below. The opening is the narrowest passage within 0.5 m of the
            person (:func:`crowdsim.navigation.passages.passage_width`), so people turn on the
            approach. 1 switches turning off.
        turned_width_share: A fully turned person's width across the walking direction as a
            share of the shoulder breadth (0.6: adults' chest depth is about 0.25 m against
            shoulder breadths of 0.40–0.47 m, Pheasant & Haslegrave, Bodyspace). Turning
            narrows the body across the walking direction for body contact (compression and
            sliding friction, with people and walls) only; the social forces keep the disc.
            In an opening narrower than 2r the disc therefore overlaps the jambs by design,
            and the wall-overlap audit counts it.
    """

    mass_kg: float = 80.0
    tau_s: float = 0.3
    a_n: float = 2000.0
    b_m: float = 0.08
    k_kg_s2: float = 1.2e5
    kappa_kg_ms: float = 2.4e5
    interaction_range_m: float = 1.0
    speed_cap_factor: float = 1.3
    dt_s: float = 0.01
    wall_social_cap: float = 0.8
    wall_a_n: float = 2000.0
    wall_b_m: float = 0.04
    fluctuation_m_s: float = 0.1
    anisotropy: float = 0.45
    social_cap: float = 1.0
    space_a_n: float = 250.0
    space_b_m: float = 0.3
    headway_s: float = 0.6
    headway_max_m: float = 0.8
    beside_brake_share: float = 0.7
    run_out_s: float = 2.0
    turn_aperture_ratio: float = 1.3
    turned_width_share: float = 0.6
    social_dt_s: float = SOCIAL_DT_S

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if np.isnan(value) or value < 0 or (value == np.inf and f.name not in SOCIAL_CAPS):
                raise ValueError(f"social-force parameter {f.name} must be ≥ 0, got {value}")
        for name in (
            "mass_kg",
            "tau_s",
            "b_m",
            "wall_b_m",
            "space_b_m",
            "dt_s",
            "social_dt_s",
            "speed_cap_factor",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"social-force parameter {name} must be > 0")
        for name in ("turned_width_share", "anisotropy", "beside_brake_share"):
            if (value := getattr(self, name)) > 1:
                raise ValueError(f"social-force parameter {name} must be ≤ 1, got {value}")
        if self.dt_s > 0.05:
            raise ValueError(
                f"dt_s = {self.dt_s} s is too large for the contact forces; use ≤ 0.05"
            )
        steps = round(self.social_dt_s / self.dt_s)
        if (
            steps < 1
            or abs(steps * self.dt_s - self.social_dt_s) > 1e-9
            or self.social_dt_s > MAX_SOCIAL_DT_S
        ):
            raise ValueError(
                f"social_dt_s = {self.social_dt_s:g} s must be a whole multiple of dt_s = "
                f"{self.dt_s:g} s and at most {MAX_SOCIAL_DT_S:g} s; use e.g. "
                f"social_dt_s = {social_dt_for(self.dt_s):g}"
            )

    def competitive(self, share: float) -> SocialForceParams:
        """These parameters for a crowd of the given competitiveness.

        Competitive people push: they give up their personal space (from people and walls)
        and the headway to the person ahead, brake with the whole repulsion of people beside
        their path, the push of everybody behind them reaches the front (isotropic
        repulsion), and the social forces of a dense crowd may drive people backwards and
        hurry them on without limit (no caps). At ``share`` = 1 the parameters are those of
        the escape-panic simulations of Helbing, Farkas & Vicsek 2000 (:data:`PANIC_PARAMS`),
        the others unchanged; in between they are interpolated linearly, and the caps divided
        by 1 − share.

        Args:
            share: Competitiveness, 0 (normal egress: these parameters) to 1 (competitive).

        Raises:
            ValueError: If ``share`` is not in [0, 1].
        """
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"competitiveness must be in [0, 1], got {share!r}")
        if share == 0.0:
            return self
        values = {
            key: getattr(self, key) + share * (panic - getattr(self, key))
            for key, panic in PANIC_PARAMS.items()
        }
        for key in SOCIAL_CAPS:
            values[key] = getattr(self, key) / (1.0 - share) if share < 1.0 else np.inf
        return replace(self, **values)

    @property
    def social_steps(self) -> int:
        """Integration steps from one evaluation of the slow pair forces to the next."""
        return round(self.social_dt_s / self.dt_s)

    @property
    def pair_reach_m(self) -> float:
        """Largest gap (m) between two bodies at which they still repel each other."""
        return self.interaction_range_m + (self.headway_max_m if self.headway_s > 0 else 0.0)

    def cell_m(self, largest_radius_m: float) -> float:
        """Side (m) of the neighbour cells: two bodies within reach share or touch a cell."""
        return 2.0 * largest_radius_m + self.pair_reach_m

    def to_dict(self) -> dict[str, float]:
        """Plain dictionary, e.g. for result metadata."""
        return asdict(self)
