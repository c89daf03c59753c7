"""The venue → kernel translation: walls and portals binned on the cell grid, and the stepper.

The kernel knows segments, portal numbers, direction fields and arrays; the venue knows named
exits, gates, obstacles, speed zones and stairs. :class:`Engine` is the one place that turns one
into the other and numbers the portals: the venue's open exits first (file order), then its
screening gates, then the open sides of its stairs' seams (multi-level venues), which the
kernel treats as exits (the person leaves the floor) and the stairs process
(:mod:`crowdsim.model.stairs`) turns into a walk on at the seam's partner line; a stair's flow
limit is the headway of the sides that lead onto it. Whether an exit is open is kept here
alone, in the portal states the kernel reads; the router and the timeline read and set it
through :attr:`Engine.exit_open`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from crowdsim.dynamics.crowd import CrowdState, PortalState, SocialForceStepper
from crowdsim.dynamics.devices import DeviceUnavailable
from crowdsim.dynamics.params import SocialForceParams
from crowdsim.dynamics.space import SpatialGrid
from crowdsim.errors import SetupError
from crowdsim.navigation.navigator import Navigation
from crowdsim.navigation.passages import passage_width
from crowdsim.venue import Venue


class Engine:
    """The compiled dynamics, set up for one venue layout.

    Args:
        venue: The venue layout.
        navigation: Its distance fields.
        params: Social-force parameters.
        state: The crowd (its largest radius and speed size the cells).
        noise_key: Key of the kernel's fluctuations (drawn from the run's seed).
        max_flow_p_s: Flow limit of each exit (persons/s; None: none); default: the exits' own.
        device: Where the kernel runs: ``"cpu"`` or ``"cuda"`` (an NVIDIA GPU, the ``gpu``
            extra), to the same physics.

    Raises:
        SetupError: If ``device`` cannot run the kernel on this machine.

    Attributes:
        portals: Exits, gates, then seam sides: open flags, when each admits the next person,
            headways.
        first_seam: Portal number of the first seam side (the count of exits and gates).
        stepper: The kernel with its buffers.
    """

    def __init__(
        self,
        *,
        venue: Venue,
        navigation: Navigation,
        params: SocialForceParams,
        state: CrowdState,
        noise_key: int,
        max_flow_p_s: Sequence[float | None] | None = None,
        device: str = "cpu",
    ) -> None:
        self.venue = venue
        n_exits, n_gates = len(venue.exits), len(venue.gates)
        limits = [e.max_flow_p_s for e in venue.exits] if max_flow_p_s is None else max_flow_p_s
        headway = np.array(
            [1.0 / f if f else 0.0 for f in limits]
            + [0.0] * n_gates
            + [1.0 / s.max_flow_p_s if s.max_flow_p_s else 0.0 for s in venue.seams]
        )
        n = len(headway)
        self.first_seam = n_exits + n_gates
        self.portals = PortalState(
            open=np.ones(n, np.bool_),
            free_at=np.full(n, -np.inf),
            headway_s=headway,
            is_gate=(np.arange(n) >= n_exits) & (np.arange(n) < self.first_seam),
        )
        try:
            self.stepper = SocialForceStepper(
                grid=_spatial_grid(venue, navigation, params, state),
                directions=navigation.directions,
                field_origin=(navigation.grid.centre_x0, navigation.grid.centre_y0),
                field_h=navigation.grid.h,
                params=params,
                n_agents=len(state),
                speed_factor=navigation.speed_factor,
                portals=self.portals,
                noise_key=noise_key,
                clear_width=passage_width(
                    navigation.grid, venue.walkable, [e.line for e in venue.exits]
                ),
                device=device,
            )
        except DeviceUnavailable as err:
            raise SetupError(venue.source, f"device {device!r}", str(err)) from None

    @property
    def exit_open(self) -> np.ndarray:
        """(n_exits,) view of the exits' open flags (write to open or close an exit)."""
        return self.portals.open[: len(self.venue.exits)]

    @property
    def n_exits(self) -> int:
        """Number of open exits of the layout (portals 0 … n_exits − 1)."""
        return len(self.venue.exits)

    def exit_number(self, name: str, *, role: str) -> int:
        """Portal number of the exit called ``name``; ``role`` says who names it.

        Raises:
            SetupError: If the layout has no open exit of that name.
        """
        names = self.venue.exit_names
        if name not in names:
            raise SetupError(
                self.venue.source,
                role,
                f"names exit {name!r}, not an open exit of layout {self.venue.layout!r}; "
                f"exits: {', '.join(names)}",
            )
        return names.index(name)

    def advance(self, state: CrowdState, t_s: float, n_sub: int) -> int:
        """Move the crowd ``n_sub`` integration steps from ``t_s``; returns refused moves."""
        return self.stepper.advance(state, t_s, n_sub)

    def set_navigation(self, navigation: Navigation) -> None:
        """Use new direction fields (same grid and targets), e.g. round a hazard."""
        self.stepper.set_directions(navigation.directions)

    def set_directions(self, directions: np.ndarray) -> None:
        """Use new direction fields (n_targets, ny, nx, 2) on the same grid and targets."""
        self.stepper.set_directions(directions)

    def set_hazards(self, hazards: np.ndarray) -> None:
        """Hazard circles (k, 3): x, y, radius (m); nobody steps in, those inside walk out."""
        self.stepper.set_hazards(hazards)


def _spatial_grid(
    venue: Venue, navigation: Navigation, params: SocialForceParams, state: CrowdState
) -> SpatialGrid:
    """Cells at least one pair reach wide over the navigation grid, with walls and portals.

    A segment is binned into every cell within the wall reach of the largest person plus the
    largest moves between two refreshes of the people's cells (``social_steps`` of them) and
    one more (the crossing test).
    """
    r_max = float(state.radius.max()) if len(state) else 0.35
    v_max = float(state.v0.max()) if len(state) else 1.0
    factor = float(navigation.speed_factor.max())
    max_move = params.speed_cap_factor * v_max * max(factor, 1.0) * params.dt_s
    grid = navigation.grid
    ny, nx = grid.shape
    x0, y0 = grid.centre_x0, grid.centre_y0  # the fields' extent, from their first centre
    bounds = (x0, y0, x0 + nx * grid.h, y0 + ny * grid.h)
    portals = np.vstack([venue.exit_segments(), venue.gate_segments(), venue.seam_segments()])
    return SpatialGrid.build(
        bounds=bounds,
        walls=venue.wall_polylines(),
        portals=portals,
        cell_m=params.cell_m(r_max),
        reach_m=r_max + params.interaction_range_m + (params.social_steps + 1) * max_move,
    )
