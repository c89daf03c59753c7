"""Congestion-aware directions: routes that bend round dense crowds (a dynamic navigation field).

A static geodesic field sends everybody along the inner edge of a corner and into the nearest
queue. Here, every few seconds, the crowd's density, blurred with a Gaussian of σ ≈ 0.7 m, lowers
the speed at which a route crosses each cell to the speed people can walk at that density
(Weidmann's fundamental diagram); the travel time to each exit people are heading for is
recomputed by fast marching on a coarser grid; and the walking directions blend the static
field with the dynamic one by the local density, so that walking at low density stays
geodesic, and so does pressing on inside a jam. The dynamic direction is the fine static
field's gradient bent by the coarse gradient of the delay the crowd adds (the dynamic travel
time less the empty venue's), so the coarse grid's blur of doorways and corners cancels out;
within a coarse cell of a wall, where the coarse grid cannot tell where the wall or a jamb is,
people follow the static field. This is the quickest-path idea of Kretz,
J. Stat. Mech. P03012 (2009), and the density-dependent navigation cost of Vadere (Hartmann,
New J. Phys. 12:043032, 2010), on the project's own fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from crowdsim.navigation.field import (
    UNREACHABLE_M,
    descent,
    off_walls,
    off_walls_at,
    route_speed,
    travel_cost,
    wall_blend,
)
from crowdsim.navigation.grid import NavGrid
from crowdsim.navigation.navigator import Navigation

#: Weidmann's (1993) fundamental diagram: v(ρ) = v_free · (1 − exp(−γ (1/ρ − 1/ρ_max))).
WEIDMANN_GAMMA = 1.913
#: Jam density (persons/m²) of Weidmann's diagram.
WEIDMANN_JAM_PM2 = 5.4
#: The density blur's Gaussian is cut off at this many standard deviations (SciPy's default).
BLUR_TRUNCATE = 4.0
#: Slowest route speed (share of free walking) a jammed cell is given, so that the travel time
#: through a jam stays finite (a jam moves on eventually).
MIN_SPEED_SHARE = 0.05


@dataclass(frozen=True, kw_only=True)
class CongestionSettings:
    """How routes respond to crowding.

    Attributes:
        enabled: Whether directions respond to crowding at all (True, the default; False:
            static geodesic fields). With static fields a crowd bunches at the inner edge of
            a corner: RiMEA 15's corner then took longer than a straight corridor of the
            outer edge's length (docs/validation.md, calibration step 14).
        update_s: Interval between recomputations (s); 2 s, about the time to walk a body
            length in a dense crowd.
        sigma_m: Standard deviation of the Gaussian that blurs the crowd into a density (m):
            0.7 m, about the distance to the nearest neighbours at 2 persons/m².
        coarse_m: Cell size of the grid the dynamic travel times are computed on (m); the
            directions within one such cell of a wall stay static, and the dynamic share
            ramps up over the next.
        blend_from_pm2: Below this density (persons/m²) people follow the static field alone:
            1.08, the upper bound of Fruin's level of service D, up to which people still walk
            at a speed of their choosing.
        blend_full_pm2: From this density on they follow the dynamic field alone: 2.17, where
            Fruin's level F (shuffling, frequent contact) begins; between the two the
            directions are blended linearly. With the blend starting at low density (0.5 to
            1.5 persons/m²) people in a straight corridor kept edging sideways towards the
            momentarily thinner parts of a crowd that was flowing anyway: RiMEA 15's straight
            4 m corridors took 5–9 % longer than with static fields.
        jam_from_pm2: From this density on the dynamic share falls again, and people press on
            along the static field: 2.17, where Fruin's level F begins.
        jam_full_pm2: From this density on (3.0 persons/m², where Weidmann's speed is a
            quarter of the free speed) people follow the static field alone: inside a jam
            nobody picks a way round the crowd. Without this the dynamic field, whose travel
            times follow the density's ups and downs inside the jam, steered the people in
            front of a bottleneck sideways along the jam instead of into the opening: the
            RiMEA 12 rooms with a 0.8 m corridor passed 1.01 persons/s with it against 1.58
            with static fields (seeds 1–3); with the jam released, 1.64.
    """

    enabled: bool = True
    update_s: float = 2.0
    sigma_m: float = 0.7
    coarse_m: float = 0.3
    blend_from_pm2: float = 1.08
    blend_full_pm2: float = 2.17
    jam_from_pm2: float = 2.17
    jam_full_pm2: float = 3.0

    def __post_init__(self) -> None:
        for name in ("update_s", "sigma_m", "coarse_m"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")
        b_from, b_full = self.blend_from_pm2, self.blend_full_pm2
        j_from, j_full = self.jam_from_pm2, self.jam_full_pm2
        if not 0 <= b_from < b_full <= j_from < j_full:
            raise ValueError(
                "need 0 ≤ blend_from_pm2 < blend_full_pm2 ≤ jam_from_pm2 < jam_full_pm2, got "
                f"{b_from!r}, {b_full!r}, {j_from!r} and {j_full!r}"
            )


def speed_share(density_pm2: np.ndarray) -> np.ndarray:
    """Walking speed at a density, as a share of the free speed (Weidmann 1993), ≥ the floor."""
    rho = np.maximum(density_pm2, 1e-6)
    share = 1.0 - np.exp(-WEIDMANN_GAMMA * (1.0 / rho - 1.0 / WEIDMANN_JAM_PM2))
    return np.clip(share, MIN_SPEED_SHARE, 1.0)


class CongestionFields:
    """Dynamic directions for the targets of one set of navigation fields.

    Args:
        nav: The static fields (their grid, targets, speed zones and directions).
        settings: Update interval, blur, coarse cell size and blending densities.
    """

    def __init__(self, nav: Navigation, settings: CongestionSettings) -> None:
        self.nav = nav
        self.settings = settings
        fine = nav.grid
        factor = max(1, round(settings.coarse_m / fine.h))
        self.factor = factor
        self.coarse = fine.coarsened(factor)
        cy, cx = self.coarse.shape
        self._crop = (cy * factor, cx * factor)
        zones = self._block_mean(nav.speed_factor.astype(np.float64))
        # The crowd's delay is measured at the floor's own speed (stairs, ramps); the routes'
        # berth of the walls is in the fine static field it bends.
        self._floor_speed = np.maximum(zones, 1e-3)
        is_target = nav.distances == 0.0
        self._targets = (
            is_target[:, : self._crop[0], : self._crop[1]]
            .reshape(len(is_target), cy, factor, cx, factor)
            .any(axis=(2, 4))
            & self.coarse.free
        )
        self._sigma_cells = settings.sigma_m / fine.h
        self._floor_share = ndimage.gaussian_filter(
            fine.free.astype(np.float64), self._sigma_cells, mode="constant", truncate=BLUR_TRUNCATE
        )
        self._upsample = _bilinear_weights(self.coarse, fine)
        self._fine_speed = route_speed(fine, speed=nav.speed_factor.astype(np.float64)).ravel()
        self._free_costs: dict[int, np.ndarray] = {}
        # Within a coarse cell of a wall the coarse field cannot tell where the wall is, and
        # over the next one the dynamic share ramps up.
        self._wall_share = np.clip(fine.wall_m / self.coarse.h - 1.0, 0.0, 1.0).ravel()
        self.directions = np.array(nav.directions, dtype=np.float32)
        self._static_kept: dict[int, np.ndarray] = {}
        # Flat views of the fine grid: cell numbers, the walls' pull on directions, and the
        # blocked cells with the free cell whose direction each one takes.
        self._wall_away = fine.wall_away.reshape(-1, 2)
        self._wall_blend = wall_blend(fine).ravel()
        nearest = fine.nearest_free[0] * fine.shape[1] + fine.nearest_free[1]
        self._blocked = np.flatnonzero(~fine.free)
        self._blocked_nearest = nearest.ravel()[self._blocked]

    def update(self, xy: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """Directions of every target for a crowd at ``xy`` (n, 2); only ``targets`` respond.

        Returns:
            (n_targets, ny, nx, 2) float32 directions: the static field where the crowd is
            thin and inside a jam, the dynamic one where it is dense, blended in between.
        """
        s = self.settings
        density = self.density(xy)
        rising = (density - s.blend_from_pm2) / (s.blend_full_pm2 - s.blend_from_pm2)
        falling = (s.jam_full_pm2 - density) / (s.jam_full_pm2 - s.jam_from_pm2)
        weight = np.clip(rising, 0.0, 1.0) * np.clip(falling, 0.0, 1.0)
        responding = [k for k in targets if self._targets[k].any()] if weight.any() else []
        for k in range(len(self.directions)):  # the others keep their static directions
            if k not in responding:
                self.directions[k] = self.nav.directions[k]
        if not responding:
            return self.directions
        speed = self._floor_speed * speed_share(self._block_mean(density))
        # Only the cells where the crowd is dense take part of the dynamic field; everywhere
        # else the directions are the static ones, already kept off the walls, and so are the
        # blocked cells that take their direction from such a cell.
        dense = (weight > 0.0).ravel()
        cells = np.flatnonzero(dense)
        w_cells = weight.ravel()[cells] * self._wall_share[cells]
        away, blend = self._wall_away[cells], self._wall_blend[cells]
        borrow = dense[self._blocked_nearest]
        blocked, lender = self._blocked[borrow], self._blocked_nearest[borrow]
        sample = self._upsample(cells)
        fine_speed = self._fine_speed[cells]
        for k in responding:
            cost = travel_cost(self.coarse, self._targets[k], speed)
            free_cost = self._free_cost(k)
            # Both travel times cover the same free cells at speeds > 0: one tells where
            # the target can be reached for both.
            reachable = cost < 0.5 * UNREACHABLE_M
            w = w_cells
            if not reachable.all():
                w = w * (sample(reachable.astype(np.float64)) > 0.999)
            # The dynamic travel time is the static one plus the delay the crowd adds; the
            # delay is smooth, so its coarse gradient bends the fine static gradient without
            # the coarse grid's blur of doorways and corners.
            delay = np.where(reachable, cost - free_cost, 0.0)
            static = self.nav.directions[k].reshape(-1, 2)[cells]
            dynamic = static / fine_speed[:, None] + sample(descent(delay, self.coarse))
            norm = np.hypot(dynamic[:, 0], dynamic[:, 1])
            ok = norm > 1e-9
            dynamic[ok] /= norm[ok, None]
            dynamic[~ok] = static[~ok]
            blended = (1.0 - w)[:, None] * static + w[:, None] * dynamic
            out = self.directions[k].reshape(-1, 2)
            out[:] = self._static_off_walls(k).reshape(-1, 2)
            out[cells] = off_walls_at(blended, away, blend)
            out[blocked] = out[lender]
        return self.directions

    def _free_cost(self, k: int) -> np.ndarray:
        """Target ``k``'s coarse travel time through an empty venue (kept)."""
        if k not in self._free_costs:
            self._free_costs[k] = travel_cost(self.coarse, self._targets[k], self._floor_speed)
        return self._free_costs[k]

    def _static_off_walls(self, k: int) -> np.ndarray:
        """Target ``k``'s static directions as :func:`off_walls` leaves them (kept)."""
        if k not in self._static_kept:
            self._static_kept[k] = off_walls(self.nav.directions[k], self.nav.grid)
        return self._static_kept[k]

    def density(self, xy: np.ndarray) -> np.ndarray:
        """(ny, nx) density (persons/m²) of a crowd at ``xy``, blurred by ``sigma_m``.

        The blur is normalised by the share of the kernel that falls on free floor, so that
        the density next to a wall is not diluted by the wall (a diluted crowd along the walls
        would make the walls look like fast lanes).
        """
        grid = self.nav.grid
        ny, nx = grid.shape
        j = np.clip(np.rint((xy[:, 0] - grid.centre_x0) / grid.h).astype(np.intp), 0, nx - 1)
        i = np.clip(np.rint((xy[:, 1] - grid.centre_y0) / grid.h).astype(np.intp), 0, ny - 1)
        blurred = np.zeros((ny, nx))
        if len(xy):
            # Blur only the crowd's bounding box widened by the kernel's reach: beyond it the
            # blur is exactly 0, and within it every sum has the same terms as on the whole grid.
            reach = int(BLUR_TRUNCATE * self._sigma_cells + 0.5)
            top, bottom = max(i.min() - reach, 0), min(i.max() + reach + 1, ny)
            left, right = max(j.min() - reach, 0), min(j.max() + reach + 1, nx)
            rows, cols = bottom - top, right - left
            cell = (i - top) * cols + (j - left)
            counts = np.bincount(cell, minlength=rows * cols).reshape(rows, cols).astype(float)
            blurred[top:bottom, left:right] = ndimage.gaussian_filter(
                counts, self._sigma_cells, mode="constant", truncate=BLUR_TRUNCATE
            )
        density = blurred / np.maximum(self._floor_share, 1e-3) / (grid.h * grid.h)
        return np.where(grid.free, density, 0.0)

    def _block_mean(self, values: np.ndarray) -> np.ndarray:
        f = self.factor
        cy, cx = self.coarse.shape
        return values[: self._crop[0], : self._crop[1]].reshape(cy, f, cx, f).mean(axis=(1, 3))


def _bilinear_weights(
    coarse: NavGrid, fine: NavGrid
) -> Callable[[np.ndarray], Callable[[np.ndarray], np.ndarray]]:
    """Bilinear sampling of coarse-grid arrays at chosen fine cell centres.

    The returned function takes the fine cells' numbers (row · nx + column) and returns a
    sampler for them, which takes the coarse values, (cy, cx) or (cy, cx, 2), and returns one
    value (or pair) per cell; the cells' corners and weights are found once per set of cells.
    """
    ny, nx = fine.shape
    cy, cx = coarse.shape
    xs = (fine.centre_x0 + fine.h * np.arange(nx) - coarse.centre_x0) / coarse.h
    ys = (fine.centre_y0 + fine.h * np.arange(ny) - coarse.centre_y0) / coarse.h
    gx = np.clip(xs, 0.0, cx - 1.000001)
    gy = np.clip(ys, 0.0, cy - 1.000001)
    j0 = gx.astype(np.intp)
    i0 = gy.astype(np.intp)
    ax = gx - j0
    ay = gy - i0

    def at(cells: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        iy, ix = np.divmod(cells, nx)
        corner = i0[iy] * cx + j0[ix]  # the coarse cell below and left of each fine centre
        wx, wy = ax[ix], ay[iy]
        corners = (corner, corner + 1, corner + cx, corner + cx + 1)

        def sample(values: np.ndarray) -> np.ndarray:
            flat = values.reshape(cy * cx, -1)
            x, y = wx, wy
            if values.ndim == 3:
                x, y = wx[:, None], wy[:, None]
            else:
                flat = flat[:, 0]
            v00, v01, v10, v11 = (np.take(flat, c, axis=0) for c in corners)
            return (v00 * (1 - x) + v01 * x) * (1 - y) + (v10 * (1 - x) + v11 * x) * y

        return sample

    return at
