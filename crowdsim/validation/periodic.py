"""Runs in a corridor that is periodic along its length, for fundamental-diagram measurements.

Somebody walking out of the east end comes back at the west end, so a density set at the start
holds for the whole run. Every person walks east (a uniform direction field); the walls run
along both long sides. Each pass along the corridor becomes one PedPy trajectory (a new id after
every wrap), so PedPy's speeds never straddle the seam.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pedpy

from crowdsim.dynamics.crowd import CrowdState, SocialForceStepper
from crowdsim.dynamics.params import SocialForceParams
from crowdsim.dynamics.space import SpatialGrid
from crowdsim.model.population import PopulationSpec
from crowdsim.validation.simulate import KERNEL_DEVICE
from crowdsim.validation.simulate import TRAJECTORY_FPS as FPS

#: Least distance of a start position from a wall (m), beyond the body radius.
_WALL_GAP_M = 0.02


def start_positions(
    length_m: float, width_m: float, people: int, rng: np.random.Generator, radius_m: float
) -> np.ndarray:
    """``people`` positions (m) spread evenly over the corridor: a jittered hexagonal lattice.

    In a corridor too narrow for two abreast (a single file) people stand on the centre line.
    """
    if width_m < 4 * radius_m:
        x = (np.arange(people) + rng.uniform(0.0, 0.1, people)) * length_m / people % length_m
        return np.column_stack([x, np.full(people, width_m / 2)])
    clear = radius_m + _WALL_GAP_M
    usable = (width_m - 2 * clear) * length_m
    spacing = np.sqrt(2 * usable / (np.sqrt(3) * people)) * 0.98
    rows = np.arange(clear, width_m - clear + 1e-9, spacing * np.sqrt(3) / 2)
    lattice = np.array(
        [
            (x, y)
            for k, y in enumerate(rows)
            for x in np.arange((k % 2) * spacing / 2, length_m, spacing)
        ]
    )
    if len(lattice) < people:  # denser than the lattice: fill with random spots
        extra = people - len(lattice)
        more = np.column_stack(
            [rng.uniform(0, length_m, extra), rng.uniform(clear, width_m - clear, extra)]
        )
        lattice = np.vstack([lattice, more])
    chosen = lattice[rng.choice(len(lattice), people, replace=False)]
    chosen = chosen + rng.uniform(-0.01, 0.01, chosen.shape)
    chosen[:, 0] %= length_m
    return chosen


def corridor_crowd(
    length_m: float, width_m: float, people: int, *, seed: int
) -> tuple[CrowdState, SocialForceStepper]:
    """``people`` on a jittered lattice in a periodic corridor, walking east, and their stepper.

    Args:
        length_m: Period (corridor length) in m; at least three interaction cells.
        width_m: Width between the two walls (m).
        people: Number of people.
        seed: Seed of the draws (speeds, radii, start positions, fluctuations).

    People have the default adult profile and the default social-force parameters; the
    stepper runs on the suite's device (:data:`~crowdsim.validation.simulate.KERNEL_DEVICE`).
    """
    params = SocialForceParams()
    spec = PopulationSpec()
    rng = np.random.default_rng(seed)
    v0 = spec.desired_speed.sample(rng, people)
    radius = spec.radius.sample(rng, people)
    pos = start_positions(length_m, width_m, people, rng, float(radius.max()))
    state = CrowdState.create(pos=pos, v0=v0, radius=radius)
    grid = SpatialGrid.periodic_corridor(
        length_m,
        width_m,
        cell_m=params.cell_m(float(radius.max())),
    )
    east = np.zeros((1, 2, 2, 2), np.float32)
    east[..., 0] = 1.0
    stepper = SocialForceStepper(
        grid=grid,
        directions=east,
        field_origin=(0.0, 0.0),
        field_h=1e6,
        params=params,
        n_agents=people,
        noise_key=int(rng.integers(2**63)),
        device=KERNEL_DEVICE.get(),
    )
    return state, stepper


def run_periodic_corridor(
    length_m: float,
    width_m: float,
    people: int,
    *,
    seed: int,
    duration_s: float,
) -> pedpy.TrajectoryData:
    """Walk ``people`` east for ``duration_s`` seconds in a periodic corridor.

    Args:
        length_m: Period (corridor length) in m; at least three interaction cells.
        width_m: Width between the two walls (m).
        people: Number of people (their density stays people / (length·width)).
        seed: Seed of the draws (speeds, radii, start positions, fluctuations).
        duration_s: Simulated time (s).

    People have the default adult profile and the default social-force parameters.

    Returns:
        The trajectories at :data:`FPS`, one id per person and pass along the corridor.
    """
    state, stepper = corridor_crowd(length_m, width_m, people, seed=seed)
    n_sub = round(1.0 / (FPS * stepper.params.dt_s))
    frames = round(duration_s * FPS)
    xs = np.empty((frames + 1, people))
    ys = np.empty((frames + 1, people))
    xs[0], ys[0] = state.pos[:, 0], state.pos[:, 1]
    for k in range(1, frames + 1):
        stepper.advance(state, (k - 1) / FPS, n_sub)
        xs[k], ys[k] = state.pos[:, 0], state.pos[:, 1]
    passes = np.vstack(
        [np.zeros((1, people), np.int64), np.cumsum(np.diff(xs, axis=0) < -length_m / 2, axis=0)]
    )
    ids = np.arange(people)[None, :] * (passes.max() + 1) + passes
    table = pd.DataFrame(
        {
            pedpy.ID_COL: ids.ravel(),
            pedpy.FRAME_COL: np.repeat(np.arange(frames + 1), people),
            pedpy.X_COL: xs.ravel(),
            pedpy.Y_COL: ys.ravel(),
        }
    )
    return pedpy.TrajectoryData(data=table, frame_rate=FPS)
