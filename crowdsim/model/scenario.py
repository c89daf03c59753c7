"""The scenario: everything one run needs besides its seed, in one immutable object.

A :class:`Scenario` is the model's single parameter object. Scenario files
(:mod:`crowdsim.model.scenario_io`) and code (:meth:`Scenario.for_venue`) both make one, and
:func:`crowdsim.study.run` runs it: the same path whatever the source. Scenarios pickle cleanly,
so any executor (process pool, Dask) can carry them.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field, replace
from typing import Any

from crowdsim.dynamics.params import SocialForceParams
from crowdsim.errors import ScenarioError
from crowdsim.model.design_flow import DesignFlow
from crowdsim.model.events import ExitEvent, ShelterLock, Threat
from crowdsim.model.ingress import IngressSpec
from crowdsim.model.population import Population, PopulationSpec
from crowdsim.model.routing import ChoiceSettings
from crowdsim.navigation.congestion import CongestionSettings
from crowdsim.navigation.navigator import DEFAULT_RESOLUTION_M
from crowdsim.tables import SEED_RANGE
from crowdsim.venue import BASE_LAYOUT, Venue

#: Default model step (s): one Mesa step advances the kernel this far.
DEFAULT_STEP_S = 0.1
#: Default time limit (s) of a run.
DEFAULT_TIME_LIMIT_S = 1800.0
#: Navigation grid spacings (m) the navigation accepts: finer costs memory for nothing (bodies
#: are 0.4 m wide), coarser closes doors on the grid.
NAVIGATION_RESOLUTION_RANGE_M = (0.02, 0.5)


def check_seed(seed: object, *, source: str, feature: str = "seed") -> int:
    """``seed`` if it is a whole number in :data:`~crowdsim.tables.SEED_RANGE`.

    Raises:
        ScenarioError: Naming ``source`` and ``feature`` (the key or option that set it).
    """
    low, high = SEED_RANGE
    if (
        isinstance(seed, bool)
        or not isinstance(seed, numbers.Integral)
        or not low <= int(seed) < high
    ):
        raise ScenarioError(
            source, feature, f"must be a whole number from {low} to 2**63 - 1, got {seed!r}"
        )
    return int(seed)


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """Everything one run needs besides the seed.

    Attributes:
        name: Scenario name.
        venue: The base venue (layouts are applied per run).
        layout: Default layout name.
        seed: Default seed.
        time_limit_s: Simulated time after which a run stops (s).
        population: How people are drawn from the venue's zones.
        people: People placed by hand (:meth:`Population.at`); replaces the zones.
        params: Social-force parameters.
        step_s: Model step (s), a whole multiple of ``params.dt_s``.
        navigation_resolution_m: Distance-field grid spacing (m).
        collect_every_s: Interval of the time-series rows (s).
        metrics_every_s: Interval of the crowding measurements (s).
        events: Exit closures/openings and shelter locks on the timeline.
        threats: Threats that appear (and may move).
        ingress: Arrivals through screening, for ingress scenarios.
        choice: Re-evaluation settings of ``quickest`` exit choice.
        congestion: Whether and how routes bend round dense crowds.
        design_flow: If given, every exit passes at most this design flow (the hydraulic method
            of fire engineering) instead of the flow that emerges from the crowd.
        source: File the scenario came from (``"<python>"`` if built in code).

    Raises:
        ScenarioError: If a time is not positive or the step is no whole multiple of dt.
    """

    name: str
    venue: Venue
    layout: str = BASE_LAYOUT
    seed: int = 0
    time_limit_s: float = DEFAULT_TIME_LIMIT_S
    population: PopulationSpec = field(default_factory=PopulationSpec)
    people: Population | None = None
    params: SocialForceParams = field(default_factory=SocialForceParams)
    step_s: float = DEFAULT_STEP_S
    navigation_resolution_m: float = DEFAULT_RESOLUTION_M
    collect_every_s: float = 1.0
    metrics_every_s: float = 0.5
    events: tuple[ExitEvent | ShelterLock, ...] = ()
    threats: tuple[Threat, ...] = ()
    ingress: IngressSpec | None = None
    choice: ChoiceSettings = field(default_factory=ChoiceSettings)
    congestion: CongestionSettings = field(default_factory=CongestionSettings)
    design_flow: DesignFlow | None = None
    source: str = "<python>"

    def __post_init__(self) -> None:
        check_seed(self.seed, source=self.source)
        for key in ("time_limit_s", "step_s", "collect_every_s", "metrics_every_s"):
            value = getattr(self, key)
            if not value > 0 or value == float("inf"):
                raise ScenarioError(self.source, key, f"must be a number > 0 (s), got {value!r}")
        n = round(self.step_s / self.params.dt_s)
        if n < 1 or abs(n * self.params.dt_s - self.step_s) > 1e-9:
            fits = max(1, n) * self.params.dt_s
            raise ScenarioError(
                self.source,
                "[simulation] step_s",
                f"the model step {self.step_s:g} s must be a whole multiple of dt_s = "
                f"{self.params.dt_s:g} s; use e.g. step_s = {fits:g}",
            )
        low, high = NAVIGATION_RESOLUTION_RANGE_M
        if not low <= self.navigation_resolution_m <= high:
            raise ScenarioError(
                self.source,
                "[simulation] navigation_resolution_m",
                f"{self.navigation_resolution_m!r} m is out of range; use {low}–{high} m "
                "(0.1–0.25 m recommended)",
            )

    @classmethod
    def for_venue(cls, venue: Venue, **overrides: Any) -> Scenario:
        """A scenario of ``venue`` with every default, apart from ``overrides`` (fields)."""
        values: dict[str, Any] = {"name": venue.name, "source": venue.source}
        values.update(overrides)
        return cls(venue=venue, **values)

    def with_overrides(self, **changes: Any) -> Scenario:
        """A copy with some fields replaced."""
        return replace(self, **changes)

    @property
    def substeps(self) -> int:
        """Integration steps of ``params.dt_s`` per model step."""
        return round(self.step_s / self.params.dt_s)

    def venue_for(self, layout: str | None = None) -> Venue:
        """The venue with ``layout`` (default: the scenario's) applied."""
        return self.venue.with_layout(self.layout if layout is None else layout)
