"""Run identity: what makes two runs the same run.

A run is fully described by its scenario (resolved: every parameter filled in, the layout
applied to the venue), its seed and the crowdsim version that runs it. :func:`run_key` hashes
exactly these into a short hexadecimal key. The results store is keyed on it, so a run that has
finished is never run again (resume), the same run asked for twice is run once, and a run of a
changed scenario, seed or crowdsim version is a new run.

What is *not* part of the identity: where the files came from (``source`` fields: moving a
study folder does not invalidate its results), the layouts a venue defines besides the one
applied (adding a layout to a venue file keeps the other layouts' results), and labels a study
or sweep attaches to a run (names, run numbers, parameter values), which are stored beside it.

The hash is taken over a canonical form of the values (:func:`canonical`): dataclasses by field
name, mappings by sorted key, floats by their exact ``repr``, numpy arrays by dtype, shape and
bytes, Shapely geometries by their normalised WKB. It does not depend on the process, the
platform's ``hash`` seed or pickling details.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import math
from collections.abc import Mapping
from importlib import metadata
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from crowdsim.model.scenario import Scenario

#: Hex digits of a run key (128 bits: no collision in any study or sweep of realistic size).
KEY_DIGITS = 32
#: Fields left out of the identity (``field`` for every type, ``Type.field`` for one): where an
#: object came from, a venue's other layouts and description, and a scenario's default layout
#: and seed (a run names its own) are no parameters of the run.
OMITTED_FIELDS = frozenset(
    {"source", "Venue.layouts", "Venue.description", "Scenario.layout", "Scenario.seed"}
)


def crowdsim_version() -> str:
    """The installed crowdsim's version (part of every run's identity).

    A change of the physics that keeps the version keeps the identities too: give a new
    output folder (or a new version) when results of the old code must not be reused.
    """
    try:
        return metadata.version("crowdsim")
    except metadata.PackageNotFoundError:
        return "unknown"


def canonical(value: Any) -> Any:
    """A JSON-ready form of ``value`` that is equal exactly when the values are equal.

    Args:
        value: Dataclasses, mappings, sequences, sets, numpy arrays and scalars, Shapely
            geometries, enums, strings, numbers, booleans and None, nested in any way.

    Raises:
        TypeError: For a value of any other type (it could not be told apart reliably).
    """
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, np.generic):
        return canonical(value.item())
    if isinstance(value, enum.Enum):
        return {"enum": type(value).__name__, "value": canonical(value.value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            "type": type(value).__name__,
            "fields": {
                f.name: canonical(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if f.name not in OMITTED_FIELDS
                and f"{type(value).__name__}.{f.name}" not in OMITTED_FIELDS
            },
        }
    if isinstance(value, BaseGeometry):
        return {"wkb": shapely.to_wkb(shapely.normalize(value), hex=True)}
    if isinstance(value, np.ndarray):
        data = np.ascontiguousarray(value)
        if data.dtype == object:
            return {"array": [canonical(v) for v in data.ravel().tolist()], "shape": data.shape}
        digest = hashlib.sha256(data.tobytes()).hexdigest()
        return {"dtype": data.dtype.str, "shape": list(data.shape), "sha256": digest}
    if isinstance(value, Mapping):
        return {"map": sorted((str(k), canonical(v)) for k, v in value.items())}
    if isinstance(value, set | frozenset):
        return {"set": sorted(json.dumps(canonical(v), sort_keys=True) for v in value)}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    raise TypeError(f"cannot fingerprint a {type(value).__name__}: {value!r}")


def fingerprint(value: Any) -> str:
    """SHA-256 (hex) of the canonical form of ``value``."""
    text = json.dumps(canonical(value), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def scenario_digest(scenario: Scenario, layout: str | None = None) -> str:
    """Fingerprint of ``scenario`` as a run of ``layout`` sees it (the layout applied).

    Compute it once per scenario and layout and hand it to :func:`run_key` for each seed:
    applying a layout validates the venue again, which costs more than hashing.

    Raises:
        VenueError: If the layout is unknown.
    """
    venue = scenario.venue_for(layout)
    return fingerprint(
        dataclasses.replace(scenario, venue=venue) if venue is not scenario.venue else scenario
    )


def run_key(
    scenario: Scenario, *, seed: int, layout: str | None = None, digest: str | None = None
) -> str:
    """The identity of one run: a hash of the resolved scenario, the seed and crowdsim's version.

    Args:
        scenario: What is run.
        seed: Seed of the run.
        layout: Layout of the venue (default: the scenario's).
        digest: :func:`scenario_digest` of ``scenario`` and ``layout``, if known already.

    Returns:
        :data:`KEY_DIGITS` hexadecimal digits.
    """
    body = {
        "scenario": digest or scenario_digest(scenario, layout),
        "seed": int(seed),
        "crowdsim": crowdsim_version(),
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:KEY_DIGITS]


def _float(x: float) -> Any:
    if math.isnan(x):
        return {"float": "nan"}
    if math.isinf(x):
        return {"float": "inf" if x > 0 else "-inf"}
    return {"float": repr(x)} if x != int(x) or abs(x) >= 2**53 else int(x)
