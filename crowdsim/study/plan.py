"""Planned runs: what to run (scenario, layout, seed) and how the results are labelled.

A :class:`RunSpec` is one run to do. Comparisons make one per scenario × layout × run number,
sweeps one per parameter point × replication; every executor runs any of them the same way.
Its :attr:`RunSpec.key` is the run's identity (:mod:`crowdsim.study.identity`); its
:attr:`RunSpec.labels` are stored beside the results as columns (``study``, ``scenario``,
``layout``, ``run`` for comparisons; the parameter values of a sweep point), so the results
table can be grouped without re-reading any file.

Specs pickle cleanly (a scenario and plain values), so process pools and Dask carry them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from crowdsim.errors import ScenarioError
from crowdsim.model.scenario import Scenario
from crowdsim.study.identity import run_key, scenario_digest

#: Label names every comparison run carries (sweeps add their parameters' dotted paths).
STUDY, SCENARIO, LAYOUT, RUN = "study", "scenario", "layout", "run"


@dataclass(frozen=True, kw_only=True)
class RunSpec:
    """One run to do.

    Attributes:
        scenario: What to run.
        seed: Seed of the run.
        layout: Layout of the venue.
        key: The run's identity (:func:`crowdsim.study.identity.run_key`).
        labels: Names and values stored with the result as columns (JSON-ready values).
    """

    scenario: Scenario
    seed: int
    layout: str
    key: str
    labels: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        scenario: Scenario,
        *,
        seed: int,
        layout: str | None = None,
        labels: Mapping[str, Any] | None = None,
        digest: str | None = None,
    ) -> RunSpec:
        """The spec of one run, its key computed.

        Args:
            scenario: What to run.
            seed: Seed of the run.
            layout: Layout (default: the scenario's).
            labels: Columns stored with the result.
            digest: :func:`~crowdsim.study.identity.scenario_digest` of the scenario and
                layout, when many seeds of one are planned (it saves applying the layout again).
        """
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ScenarioError(
                scenario.source, "seed", f"must be a whole number ≥ 0, got {seed!r}"
            )
        name = scenario.layout if layout is None else layout
        key = run_key(scenario, seed=seed, layout=name, digest=digest)
        return cls(scenario=scenario, seed=seed, layout=name, key=key, labels=dict(labels or {}))


def replications(
    scenario: Scenario,
    *,
    seeds: Iterable[int],
    layout: str | None = None,
    labels: Mapping[str, Any] | None = None,
    run_label: str = RUN,
    first_run: int = 0,
) -> list[RunSpec]:
    """Specs of ``scenario`` with one ``layout`` for each of ``seeds`` (the layout applied once).

    Each spec's labels are ``labels`` plus ``run_label`` = its number, counting from
    ``first_run`` in the order of ``seeds``.

    Raises:
        VenueError: If the layout is unknown.
    """
    name = scenario.layout if layout is None else layout
    digest = scenario_digest(scenario, name)
    return [
        RunSpec.of(
            scenario,
            seed=seed,
            layout=name,
            digest=digest,
            labels={**(labels or {}), run_label: first_run + k},
        )
        for k, seed in enumerate(seeds)
    ]


def unique(specs: Iterable[RunSpec]) -> list[RunSpec]:
    """``specs`` without repeated keys (the first of each kept, order preserved)."""
    seen: set[str] = set()
    out = []
    for spec in specs:
        if spec.key not in seen:
            seen.add(spec.key)
            out.append(spec)
    return out
