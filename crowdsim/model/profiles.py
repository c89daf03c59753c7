"""Built-in demographic profiles: desired walking speed and body radius, with their sources."""

from __future__ import annotations

from dataclasses import dataclass

from crowdsim.model.distributions import Distribution


@dataclass(frozen=True)
class Profile:
    """Walking speed and body size of a kind of person.

    Attributes:
        desired_speed: Free walking speed v0 (m/s).
        radius: Body radius (m).
        source: Where the figures come from.
    """

    desired_speed: Distribution
    radius: Distribution
    source: str


def _uniform(low: float, high: float) -> Distribution:
    return Distribution("uniform", {"low": low, "high": high})


# Calibrated with the social-force defaults against the Wuppertal and HERMES bottleneck flows
# (docs/validation.md); a disc of 0.40–0.48 m spans the shoulder breadth of most adults.
_RADIUS = _uniform(0.20, 0.24)

#: Profiles by name; a scenario group may name one with ``profile = "elderly"``.
PROFILES: dict[str, Profile] = {
    "adult": Profile(
        Distribution("normal", {"mean": 1.34, "sd": 0.26}, low=0.82, high=1.86),
        _RADIUS,
        "speed: Weidmann 1993, 1.34 ± 0.26 m/s truncated at ±2 sd; radius 0.20–0.24 m: calibrated",
    ),
    # IMO MSC.1/Circ.1533, Table 3.4 (walking speeds on flat terrain), uniform ranges.
    "female_under_30": Profile(_uniform(0.93, 1.55), _RADIUS, "IMO MSC.1/Circ.1533 Tab. 3.4"),
    "female_30_50": Profile(_uniform(0.71, 1.19), _RADIUS, "IMO MSC.1/Circ.1533 Tab. 3.4"),
    "female_over_50": Profile(_uniform(0.56, 0.94), _RADIUS, "IMO MSC.1/Circ.1533 Tab. 3.4"),
    "male_under_30": Profile(_uniform(1.11, 1.85), _RADIUS, "IMO MSC.1/Circ.1533 Tab. 3.4"),
    "male_30_50": Profile(_uniform(0.97, 1.62), _RADIUS, "IMO MSC.1/Circ.1533 Tab. 3.4"),
    "male_over_50": Profile(_uniform(0.84, 1.40), _RADIUS, "IMO MSC.1/Circ.1533 Tab. 3.4"),
    "elderly": Profile(
        _uniform(0.70, 1.17),
        _RADIUS,
        "IMO MSC.1/Circ.1533 Tab. 3.4: mean of the female and male 'older than 50' ranges",
    ),
    "reduced_mobility": Profile(
        _uniform(0.54, 0.89),
        _uniform(0.35, 0.45),
        "speed: IMO MSC.1/Circ.1533 Tab. 3.4, mean of the female and male 'older than 50, "
        "mobility impaired (1)' ranges; radius 0.35–0.45 m for walking aids: an assumption",
    ),
    "child": Profile(
        Distribution("normal", {"mean": 1.2, "sd": 0.3}, low=0.6, high=1.9),
        _uniform(0.18, 0.24),
        "an assumption for school-age children (no standard source); replace it with data "
        "for your venue",
    ),
}


def profile(name: str) -> Profile:
    """The built-in profile ``name``.

    Raises:
        ValueError: Naming the known profiles.
    """
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}; use one of {', '.join(PROFILES)}")
    return PROFILES[name]
