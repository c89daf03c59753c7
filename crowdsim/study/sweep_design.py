"""Design points of a sweep: full grids, random and Latin-hypercube samples, Sobol' and Morris.

Every design is a table with one row per point: ``point`` (0, 1, …, in design order) and one
column per parameter path holding the value at that point. The order matters for the
sensitivity designs: SALib's analysis reads the outputs in the order its sampler wrote the
inputs, so the table keeps that order and :func:`unit_matrix` gives the sampler's own matrix
back for the analysis.

Random numbers come from the design's seed alone, so the same sweep file gives the same points
on any machine. Ranges with ``scale = "log"`` are sampled uniformly in the logarithm. Whole-number
parameters (people) are rounded after sampling; a parameter given as a list of ``values``
(names or numbers) is sampled by choosing among them with equal probability.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd

from crowdsim.study.sweep_file import Parameter, Sweep, salib
from crowdsim.study.sweep_paths import WHOLE

#: Column of a design table that numbers its points.
POINT = "point"


def point_count(sweep: Sweep) -> int:
    """Number of points the design has (before replications)."""
    return sweep.point_count()


def design_points(sweep: Sweep) -> pd.DataFrame:
    """The design's points: ``point`` and one column per parameter path, in design order."""
    paths = [p.path for p in sweep.parameters]
    if sweep.design.kind == "grid":
        rows = list(itertools.product(*(p.levels() for p in sweep.parameters)))
        table = pd.DataFrame(rows, columns=paths)
    else:
        u = unit_matrix(sweep)
        table = pd.DataFrame(
            {p.path: _from_unit(p, u[:, k]) for k, p in enumerate(sweep.parameters)}
        )
    table.insert(0, POINT, np.arange(len(table), dtype=np.int64))
    return table


def unit_matrix(sweep: Sweep) -> np.ndarray:
    """The sampled design before scaling: (points, parameters), each column in [0, 1].

    For Sobol' and Morris designs these are SALib's own samples (in the order its analysis
    expects), drawn on the unit cube; :func:`salib_problem` names the same cube.
    """
    design = sweep.design
    d = len(sweep.parameters)
    if design.kind == "random":
        return np.random.default_rng(design.seed).random((design.samples, d))
    if design.kind == "lhs":
        from scipy.stats import qmc

        return qmc.LatinHypercube(d=d, seed=design.seed).random(design.samples)
    if design.kind == "sobol":
        sobol = salib("sample.sobol")
        return np.asarray(
            sobol.sample(
                salib_problem(sweep),
                design.samples,
                calc_second_order=design.second_order,
                seed=design.seed,
            )
        )
    if design.kind == "morris":
        morris = salib("sample.morris")
        return np.asarray(
            morris.sample(
                salib_problem(sweep), design.samples, num_levels=design.levels, seed=design.seed
            )
        )
    raise ValueError(f"a {design.kind} design has no unit matrix")


def salib_problem(sweep: Sweep) -> dict[str, Any]:
    """SALib's description of the design's inputs: each parameter on [0, 1]."""
    return {
        "num_vars": len(sweep.parameters),
        "names": [p.path for p in sweep.parameters],
        "bounds": [[0.0, 1.0]] * len(sweep.parameters),
    }


def _from_unit(p: Parameter, u: np.ndarray) -> list[Any]:
    """Values of ``p`` at unit coordinates ``u`` (choices for lists, the range otherwise)."""
    if p.values:
        k = np.minimum((u * len(p.values)).astype(np.int64), len(p.values) - 1)
        return [p.values[i] for i in k]
    if p.log:
        x = np.exp(np.log(p.low) + u * (np.log(p.high) - np.log(p.low)))
    else:
        x = p.low + u * (p.high - p.low)
    if p.target.kind == WHOLE:
        return [round(v) for v in x]
    return [float(v) for v in x]
