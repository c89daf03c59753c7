"""Shared pieces of the benchmark scripts: the benchmark room, its crowd, machine facts, timing.

The benchmark room is a square room of side L with one 2 m exit centred on its east wall
(x = L). People stand on a square lattice 0.4 m apart (6.25 persons/m², so bodies of radius
0.3 m overlap by 0.2 m at the start: a deliberately hard, dense start) in a block centred in the
room, at least 0.5 m from every wall. The room side is

* 40 m for up to 4,000 people and 80 m for up to 10,000 people (the published benchmark sizes);
* beyond 10,000 people, or for every size in *equal-density* mode, L = √(0.64 m² · N): the room
  area per person of the 10,000-person case (80 m × 80 m / 10,000 = 0.64 m²), with the same
  lattice, so the initial block density is the same too.

crowdsim and JuPedSim get exactly the same positions (:meth:`BenchRoom.positions`).
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

import numba
import numpy as np
from shapely.geometry import LineString, Polygon, box

from crowdsim.dynamics.params import SocialForceParams
from crowdsim.model.evacuation import EvacuationModel
from crowdsim.model.population import Population
from crowdsim.model.scenario import Scenario
from crowdsim.model.trajectory import TrajectoryWriter
from crowdsim.navigation.congestion import CongestionSettings
from crowdsim.study import build
from crowdsim.venue import Exit, Venue

#: Lattice spacing of the initial block (m).
SPACING_M = 0.4
#: Width of the one exit (m).
EXIT_WIDTH_M = 2.0
#: Least distance (m) from any person's centre to a wall at the start.
WALL_CLEARANCE_M = 0.5
#: Room area per person (m²) of the 10,000-person case, kept for larger crowds.
AREA_PER_PERSON_M2 = 80.0 * 80.0 / 10_000
#: Desired speed (m/s) of everybody (Weidmann 1993 mean).
DESIRED_SPEED_M_S = 1.34
#: Body radius (m) of everybody (JuPedSim's social-force default).
RADIUS_M = 0.3
#: Integration step (s) of every simulator.
DT_S = 0.01
#: crowdsim model step (s): one compiled call of STEP_S / DT_S integration steps.
STEP_S = 0.1

# CPUs this process may use, read before OpenMP pins the main thread to one of them.
_AFFINITY = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
_NPROC = len(_AFFINITY) if _AFFINITY is not None else os.cpu_count()


def room_side_m(n: int, *, equal_density: bool = False) -> float:
    """Side (m) of the benchmark room for ``n`` people (see the module docstring)."""
    if equal_density or n > 10_000:
        return math.sqrt(AREA_PER_PERSON_M2 * n)
    return 40.0 if n <= 4_000 else 80.0


@dataclass(frozen=True)
class BenchRoom:
    """The square benchmark room with its crowd.

    Attributes:
        n: Number of people.
        side_m: Side L of the room (m); the room is [0, L] × [0, L].
        spacing_m: Lattice spacing of the initial block (m).
        exit_width_m: Width of the exit centred on the east wall x = L (m).
    """

    n: int
    side_m: float
    spacing_m: float = SPACING_M
    exit_width_m: float = EXIT_WIDTH_M

    @classmethod
    def for_size(
        cls,
        n: int,
        *,
        equal_density: bool = False,
        spacing_m: float = SPACING_M,
        grow: bool = False,
        exit_width_m: float = EXIT_WIDTH_M,
    ) -> BenchRoom:
        """The benchmark room for ``n`` people (checks that the block fits).

        Args:
            n: Number of people.
            equal_density: Use the equal-density room side (see the module docstring).
            spacing_m: Lattice spacing of the initial block (m).
            grow: Widen the room to the next metre where the block would otherwise come closer
                than :data:`WALL_CLEARANCE_M` to a wall (sparse blocks: 4,000 people at 2
                persons/m² need a 47 m room, not 40 m).
            exit_width_m: Width of the exit (m).
        """
        side = room_side_m(n, equal_density=equal_density)
        if grow:
            span = (math.ceil(math.sqrt(n)) - 1) * spacing_m
            side = max(side, float(math.ceil(span + 2 * WALL_CLEARANCE_M + 1.0)))
        room = cls(n=n, side_m=side, spacing_m=spacing_m, exit_width_m=exit_width_m)
        room.positions()  # raises if the block does not fit
        return room

    @property
    def polygon(self) -> Polygon:
        """The room's floor."""
        return box(0.0, 0.0, self.side_m, self.side_m)

    @property
    def exit_line(self) -> LineString:
        """The exit opening on the east wall."""
        half = self.exit_width_m / 2
        mid = self.side_m / 2
        return LineString([(self.side_m, mid - half), (self.side_m, mid + half)])

    def exit_stage(self, depth_m: float) -> Polygon:
        """A strip ``depth_m`` deep just inside the exit (a JuPedSim exit stage)."""
        half = self.exit_width_m / 2
        mid = self.side_m / 2
        return box(self.side_m - depth_m, mid - half, self.side_m, mid + half)

    @property
    def block_density_pm2(self) -> float:
        """Density of the initial block (persons/m²)."""
        return 1.0 / self.spacing_m**2

    @property
    def area_per_person_m2(self) -> float:
        """Room area per person (m²)."""
        return self.side_m**2 / self.n

    def positions(self) -> np.ndarray:
        """(n, 2) start positions: a square lattice block centred in the room, filled by rows.

        Raises:
            ValueError: If the block comes closer than :data:`WALL_CLEARANCE_M` to a wall.
        """
        cols = math.ceil(math.sqrt(self.n))
        rows = math.ceil(self.n / cols)
        xs = (np.arange(cols) - (cols - 1) / 2) * self.spacing_m + self.side_m / 2
        ys = (np.arange(rows) - (rows - 1) / 2) * self.spacing_m + self.side_m / 2
        gx, gy = np.meshgrid(xs, ys)
        pos = np.column_stack([gx.ravel(), gy.ravel()])[: self.n]
        lo, hi = pos.min(), pos.max()
        if lo < WALL_CLEARANCE_M - 1e-9 or hi > self.side_m - WALL_CLEARANCE_M + 1e-9:
            raise ValueError(
                f"{self.n} people at {self.spacing_m} m spacing do not fit in a "
                f"{self.side_m:.1f} m room with {WALL_CLEARANCE_M} m wall clearance; "
                "use a smaller spacing or fewer people"
            )
        return pos

    def venue(self) -> Venue:
        """The room as a crowdsim venue."""
        return Venue(
            name=f"bench-room-{self.n}",
            area=self.polygon,
            exits=(Exit("exit", self.exit_line),),
        )

    def describe(self) -> str:
        """One line: size, room, densities."""
        return (
            f"{self.n:,} people, {self.side_m:.1f} m room "
            f"({self.area_per_person_m2:.2f} m²/person), "
            f"block {self.block_density_pm2:.2f} persons/m², {self.exit_width_m:g} m exit"
        )


def crowdsim_model(
    room: BenchRoom,
    *,
    radius_m: float = RADIUS_M,
    v0_m_s: float = DESIRED_SPEED_M_S,
    time_limit_s: float = 3600.0,
    navigation_resolution_m: float = 0.1,
    trajectory: TrajectoryWriter | None = None,
    seed: int = 1,
    device: str = "cpu",
) -> EvacuationModel:
    """A crowdsim evacuation model of ``room`` with everybody alike, its kernel on ``device``.

    Routes are static (congestion-aware routing off): these rooms time the dynamics, as
    JuPedSim's models, which have no such routing, are timed beside them.
    """
    scenario = Scenario.for_venue(
        room.venue(),
        people=Population.at(room.positions(), v0=v0_m_s, radius=radius_m),
        params=SocialForceParams(dt_s=DT_S),
        step_s=STEP_S,
        time_limit_s=time_limit_s,
        navigation_resolution_m=navigation_resolution_m,
        congestion=CongestionSettings(enabled=False),
    )
    return build(scenario, seed=seed, trajectory=trajectory, device=device)


def warm_up_crowdsim() -> float:
    """Compile (or load from the on-disk cache) the numba kernels; returns the seconds it took."""
    start = time.perf_counter()
    model = crowdsim_model(BenchRoom(n=64, side_m=10.0), time_limit_s=1.0)
    for _ in range(3):
        model.step()
    return time.perf_counter() - start


def configure_openmp(*, bind: bool) -> None:
    """Ask OpenMP to pin its threads to distinct CPUs (``OMP_PROC_BIND=true``) unless told not to.

    Must run before the first parallel kernel starts numba's threading layer. On the 2-vCPU
    benchmark machine the unpinned OpenMP threads of numba's ``omp`` layer were seen to end up on
    the same vCPU and spin on each other's barriers: every integration step then takes about
    16 ms whatever the crowd size (100–200 times slower). Pinning avoids that. A value already
    set in the environment is left alone.
    """
    if bind:
        os.environ.setdefault("OMP_PROC_BIND", "true")


def restore_affinity() -> None:
    """Give the calling process back the CPUs this process had at start-up (for children)."""
    if _AFFINITY is not None:
        os.sched_setaffinity(0, _AFFINITY)


def threading_env() -> str:
    """The environment settings that steer numba's threads, for the record."""
    names = ("OMP_PROC_BIND", "OMP_WAIT_POLICY", "NUMBA_THREADING_LAYER", "NUMBA_NUM_THREADS")
    return " ".join(f"{k}={os.environ[k]}" for k in names if k in os.environ) or "(none set)"


def parallel_overhead_ms(steps: int = 3) -> float:
    """Wall ms per integration step for 64 people: the fixed cost of one step's parallel regions.

    About 0.01–0.05 ms when numba's threads run on distinct CPUs; several ms when they share one.
    """
    model = crowdsim_model(BenchRoom(n=64, side_m=10.0), time_limit_s=10.0)
    stepper, state = model.engine.stepper, model.state
    # Every thread, whatever the stepper would choose: the probe is about their overhead.
    stepper._advance(state, 0.0, model.n_sub)
    start = time.perf_counter()
    for k in range(steps):
        stepper._advance(state, (k + 1) * model.step_s, model.n_sub)
    return 1e3 * (time.perf_counter() - start) / (steps * model.n_sub)


def overhead_note(ms: float) -> str:
    """One line on the parallel-overhead probe, with a warning when threads share a CPU."""
    note = f"# parallel-overhead probe: {ms:.3f} ms per integration step (64 people)"
    if ms > 1.0 and numba.get_num_threads() > 1:
        note += (
            "  WARNING: numba's threads seem to share one CPU; figures are not representative "
            "(set OMP_PROC_BIND=true or OMP_WAIT_POLICY=passive, or use --threads 1)"
        )
    return note


def set_threads(threads: int | None) -> int:
    """Use ``threads`` numba threads (None: all available); returns the number in use."""
    if threads is not None:
        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    return int(numba.get_num_threads())


@dataclass
class Timing:
    """Throughput of one simulator over a timed window.

    Agent-steps count, for every integration step of ``DT_S``, the people still inside at its
    start. Block rates are agent-steps/s of consecutive blocks of about one simulated second;
    their median is robust against bursts of load from other work on the machine.

    Attributes:
        simulator: Name of the simulator.
        agents: People at the start of the run.
        simulated_s: Simulated time covered by the window (s).
        wall_s: Wall-clock time of the window (s).
        agent_steps: Agent-steps done in the window.
        active_start: People inside at the start of the window.
        active_end: People inside at the end of the window.
        aborted_at_s: Simulated time at which the simulator aborted (None: it did not).
        error: The abort message.
        block_rates: Agent-steps/s of each block.
        kernel_s: Wall time inside the compiled kernel (crowdsim only; None otherwise).
        extra: Further simulator-specific facts.
    """

    simulator: str
    agents: int
    simulated_s: float = 0.0
    wall_s: float = 0.0
    agent_steps: int = 0
    active_start: int = 0
    active_end: int = 0
    aborted_at_s: float | None = None
    error: str | None = None
    block_rates: list[float] = field(default_factory=list)
    kernel_s: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def agent_steps_per_s(self) -> float | None:
        """Agent-steps per wall second over the whole window."""
        return self.agent_steps / self.wall_s if self.wall_s > 0 and self.agent_steps else None

    @property
    def median_block_rate(self) -> float | None:
        """Median of the block rates (agent-steps/s)."""
        return float(np.median(self.block_rates)) if self.block_rates else None

    @property
    def real_time_factor(self) -> float | None:
        """Simulated seconds per wall second."""
        return self.simulated_s / self.wall_s if self.wall_s > 0 else None


def best_of(timings: list[Timing]) -> Timing:
    """The timing with the highest agent-steps/s (repeats guard against load from other work)."""
    best = max(timings, key=lambda t: t.agent_steps_per_s or -1.0)
    best.extra["repeats"] = len(timings)
    return best


class _TimedAdvance:
    """Stands in for ``stepper.advance`` and adds up the wall time spent in it."""

    def __init__(self, advance: Callable[..., int]) -> None:
        self.advance = advance
        self.seconds = 0.0

    def __call__(self, *args: Any) -> int:
        start = time.perf_counter()
        out = self.advance(*args)
        self.seconds += time.perf_counter() - start
        return out


def time_crowdsim(
    model: EvacuationModel, window_s: float, *, max_wall_s: float = math.inf, block_s: float = 1.0
) -> Timing:
    """Step ``model`` for ``window_s`` simulated seconds (or until it stops) and time it.

    The timed unit is :meth:`EvacuationModel.step`, i.e. what a user of the model gets: one
    compiled call of ``n_sub`` integration steps plus the model's per-step bookkeeping (wall
    check, counts, data collection). The time spent inside the compiled call is reported
    separately as ``kernel_s``.
    """
    timing = Timing("crowdsim", agents=len(model.state), active_start=model.state.n_active)
    timer = _TimedAdvance(model.engine.stepper.advance)
    model.engine.stepper.advance = timer  # type: ignore[method-assign]
    steps = round(window_s / model.step_s)
    per_block = max(1, round(block_s / model.step_s))
    t_model0 = model.time_s
    try:
        start = time.perf_counter()
        block_start, block_steps = start, 0
        for k in range(steps):
            if not model.running or time.perf_counter() - start > max_wall_s:
                break
            n_steps = model.state.n_active * model.n_sub
            model.step()
            timing.agent_steps += n_steps
            block_steps += n_steps
            if (k + 1) % per_block == 0:
                now = time.perf_counter()
                if block_steps:
                    timing.block_rates.append(block_steps / (now - block_start))
                block_start, block_steps = now, 0
        timing.wall_s = time.perf_counter() - start
    finally:
        del model.engine.stepper.advance  # back to the class's method
    timing.simulated_s = model.time_s - t_model0
    timing.active_end = model.state.n_active
    timing.kernel_s = timer.seconds
    return timing


def cpu_model() -> str:
    """CPU model name from /proc/cpuinfo (or the platform's processor string)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def package_version(name: str) -> str | None:
    """Installed version of distribution ``name`` (None if not installed)."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def importable_version(name: str) -> str | None:
    """Version of module ``name`` if it imports (None if it does not)."""
    try:
        module = importlib.import_module(name)
    except ImportError:
        return None
    return str(getattr(module, "__version__", None) or package_version(name))


def crowdsim_source() -> str:
    """Where crowdsim is imported from, with its git commit and whether the package is modified."""
    import crowdsim

    folder = Path(crowdsim.__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(folder), "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return str(folder)
    return f"{folder} (git {commit}{', modified' if dirty else ''})"


def machine_info() -> dict[str, Any]:
    """Facts about the machine and the software, for the record."""
    try:
        layer = numba.threading_layer()
    except ValueError:  # no parallel kernel has run yet
        layer = "not initialised"
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    return {
        "nproc": _NPROC,
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "numba_threads": int(numba.get_num_threads()),
        "threading_layer": layer,
        "crowdsim": crowdsim_source(),
        "jupedsim": importable_version("jupedsim"),
        "load_1min": round(load, 2),
        "threading_env": threading_env(),
    }


def print_machine_info(file: Any = sys.stdout) -> None:
    """Print :func:`machine_info` as one header line."""
    info = machine_info()
    print(
        f"# {info['nproc']} CPUs ({info['cpu']}), Python {info['python']}, numpy {info['numpy']}, "
        f"numba {info['numba']} ({info['numba_threads']} threads, {info['threading_layer']}), "
        f"jupedsim {info['jupedsim'] or 'not installed'}, load {info['load_1min']}, "
        f"env {info['threading_env']}",
        file=file,
    )
    print(f"# crowdsim from {info['crowdsim']}", file=file)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (MiB).

    On Linux the high-water mark of this program's own memory (``VmHWM``): ``ru_maxrss``
    keeps, across ``exec``, the size of the process it was forked from, so a child started
    by a large benchmark process would report its parent's size.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def current_rss_mb() -> float:
    """Current resident set size of this process (MiB; NaN where /proc is missing)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            pages = int(f.read().split()[1])
    except OSError:
        return float("nan")
    return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def parse_sizes(text: str) -> list[int]:
    """Sizes from a comma-separated list; ``k`` means thousand (``1k,4000,10k``)."""
    out = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        if not part:
            continue
        out.append(int(float(part[:-1]) * 1000) if part.endswith("k") else int(part))
    if not out or min(out) < 1:
        raise ValueError(f"sizes must be positive integers, got {text!r}")
    return out


def fmt_rate(rate: float | None) -> str:
    """Agent-steps/s in millions, or ``-``."""
    return "-" if rate is None else f"{rate / 1e6:.2f} M"


def rounded(x: float | None, digits: int = 4) -> float | None:
    """``x`` rounded for JSON (None and NaN become None)."""
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), digits)


def add_runtime_args(parser: argparse.ArgumentParser) -> None:
    """Options every script shares: threads, OpenMP pinning, JSON output."""
    parser.add_argument("--threads", type=int, default=None, help="numba threads (default all)")
    parser.add_argument(
        "--omp-bind",
        action="store_true",
        help="pin OpenMP threads to distinct CPUs (OMP_PROC_BIND=true); crowdsim already waits "
        "passively (OMP_WAIT_POLICY=passive), which avoids the collapse without pinning",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="repeat each timed run, keep the fastest"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line on stdout")


def start_run(args: argparse.Namespace) -> TextIO:
    """Apply the runtime options, warm up the kernels and print the header.

    Returns:
        The stream for human-readable notes: stderr with ``--json`` (stdout then carries JSON
        lines only), else stdout.
    """
    configure_openmp(bind=args.omp_bind)
    set_threads(args.threads)
    compile_s = warm_up_crowdsim()
    out = sys.stderr if args.json else sys.stdout
    print_machine_info(out)
    print(f"# warm-up (numba compile / cache load): {compile_s:.2f} s", file=out)
    print(overhead_note(parallel_overhead_ms()), file=out, flush=True)
    return out


def finish_run(out: TextIO) -> None:
    """Probe the parallel overhead again at the end (the threads may have moved meanwhile)."""
    print(overhead_note(parallel_overhead_ms()), file=out, flush=True)
