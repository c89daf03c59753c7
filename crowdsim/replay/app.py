"""The live exercise app: Mesa's SolaraViz around a run that a facilitator steers.

:class:`LiveRun` is the Mesa model SolaraViz steps: it wraps an :class:`Exercise` (a model built
with :func:`crowdsim.study.build`) and takes the app's controls as keyword parameters (layout,
share of the venue's people, desired speed, zones waiting for the alarm, seed). The page shows
the floor plan with people moving and the density under them, the live evacuation curve, and
the exercise panel: close or open an exit, start a threat at a clicked point of the plan (or
typed coordinates), raise the alarm in a waiting zone, lock a shelter, and save the injected
timeline as a scenario file that replays the run exactly.

Solara serves its own assets (the ``solara-assets`` package) and telemetry is switched off, so
the app works offline.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")

import mesa
import numpy as np

from crowdsim.replay.exercise import Exercise, scenario_data
from crowdsim.replay.plan import draw_plan, venue_features
from crowdsim.replay.style import STATE_RGB, hex_rgb, plain_text

#: Environment variable naming the scenario file the app serves.
SCENARIO_ENV = "CROWDSIM_APP_SCENARIO"


class LiveRun(mesa.Model):
    """The run the app shows and steps (parameters: the app's controls).

    Args:
        scenario_path: Scenario (or venue) file.
        layout: Layout to run ("" for the scenario's).
        people_share: People per zone as a share of the venue's numbers.
        desired_speed_m_s: Mean free walking speed (m/s).
        waiting_zones: Comma-separated zones that start without the alarm.
        seed: Seed of the run.
    """

    def __init__(
        self,
        scenario_path: str = "",
        layout: str = "",
        people_share: float = 1.0,
        desired_speed_m_s: float = 1.34,
        waiting_zones: str = "",
        seed: int = 1,
    ) -> None:
        super().__init__(rng=seed)
        path = scenario_path or os.environ.get(SCENARIO_ENV, "")
        self.exercise = Exercise(
            scenario_data(path),
            source=path,
            layout=layout or None,
            people_factor=people_share,
            desired_speed_m_s=desired_speed_m_s,
            waiting_zones=[z.strip() for z in waiting_zones.split(",") if z.strip()],
            seed=seed,
        )
        self.path = path
        self.running = True

    @property
    def model(self) -> Any:
        """The evacuation model inside."""
        return self.exercise.model

    def step(self) -> None:
        """One model step of the run."""
        self.exercise.step()
        self.running = bool(self.exercise.model.running)


@plain_text
def plan_figure(run: LiveRun) -> Any:
    """The plan with people coloured by state, hazards and closed exits (a matplotlib figure)."""
    from matplotlib.figure import Figure

    from crowdsim.model.recording import states

    m = run.model
    fig = Figure(figsize=(9, 6), dpi=90)
    ax = fig.add_subplot()
    closed = [e.name for k, e in enumerate(m.venue.exits) if not m.engine.exit_open[k]]
    draw_plan(ax, venue_features(m.venue), labels=True, closed=closed)
    s = m.state
    who = np.flatnonzero(s.active)
    codes = states(m)[who]
    colours = np.array([hex_rgb(c) for c in STATE_RGB])[np.clip(codes, 0, len(STATE_RGB) - 1)]
    # Marker area in points² from the body radius in metres.
    x0, x1 = ax.get_xlim()
    pts_per_m = fig.get_figwidth() * 72 * 0.75 / (x1 - x0)
    ax.scatter(
        s.pos[who, 0],
        s.pos[who, 1],
        s=(2 * s.radius[who] * pts_per_m) ** 2,
        c=colours,
        zorder=11,
        linewidths=0.3,
        edgecolors="#333333",
    )
    for x, y, r in m.timeline.hazards:
        from matplotlib.patches import Circle

        ax.add_patch(Circle((x, y), r, color="#d7191c", alpha=0.25, zorder=12))
    safe = int(m.safe.sum())
    ax.set_title(f"t = {m.time_s:.1f} s — {safe} of {len(s)} safe — layout {m.venue.layout}")
    fig.tight_layout()
    return fig


@plain_text
def curve_figure(run: LiveRun) -> Any:
    """The live evacuation curve (people still inside, evacuated, sheltered)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3), dpi=90)
    ax = fig.add_subplot()
    df = run.model.datacollector.get_model_vars_dataframe()
    for col in ("evacuated", "sheltered", "remaining"):
        if col in df:
            ax.plot(df["time_s"], df[col], label=col)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("people")
    ax.legend(loc="center right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


@plain_text
def plan_png(run: LiveRun, marker: tuple[float, float] | None = None) -> tuple[str, Any]:
    """The plan as a PNG data URL, and the map from image fractions to metres (for clicks)."""
    import base64
    import io

    fig = plan_figure(run)
    ax = fig.axes[0]
    if marker is not None:
        ax.plot(*marker, marker="x", color="#d7191c", ms=12, mew=3, zorder=13)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    width, height = fig.get_size_inches() * fig.dpi
    inverse = ax.transData.inverted()

    def to_m(fx: float, fy: float) -> tuple[float, float]:
        x, y = inverse.transform((fx * width, (1.0 - fy) * height))
        return (float(x), float(y))

    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode(), to_m


def _plan_widget() -> Any:
    """A picture of the plan that reports where it was clicked (image fractions)."""
    import ipyvuetify as v
    import traitlets

    class PlanImage(v.VuetifyTemplate):
        template = traitlets.Unicode(
            """
<template>
  <img :src="src" style="width: 100%; cursor: crosshair" @click="clicked" />
</template>
<script>
module.exports = {
  methods: {
    clicked(e) {
      const r = e.target.getBoundingClientRect();
      this.plan_click({ x: (e.clientX - r.left) / r.width, y: (e.clientY - r.top) / r.height });
    },
  },
};
</script>
"""
        ).tag(sync=True)
        src = traitlets.Unicode("").tag(sync=True)
        on_click = traitlets.Callable(None, allow_none=True)

        def vue_plan_click(self, data: dict[str, float]) -> None:
            if self.on_click is not None:
                self.on_click(data)

    return PlanImage


def _exits_line(run: LiveRun) -> str:
    m = run.model
    shut = [e.name for k, e in enumerate(m.venue.exits) if not m.engine.exit_open[k]]
    return "closed exits: " + (", ".join(shut) if shut else "none")


def _components(scenario_path: str) -> Any:
    """The app's page component for a scenario file."""
    import solara
    from mesa.visualization import SolaraViz
    from mesa.visualization.utils import force_update, update_counter

    from crowdsim.model.scenario_io import load_scenario

    scenario = load_scenario(scenario_path)
    venue = scenario.venue
    model_params = {
        "scenario_path": scenario_path,
        "layout": {
            "type": "Select",
            "value": "",
            "values": ["", *venue.layouts],
            "label": "Layout",
        },
        "people_share": {
            "type": "SliderFloat",
            "value": 1.0,
            "min": 0.1,
            "max": 2.0,
            "step": 0.1,
            "label": "People (share of the venue's zones)",
        },
        "desired_speed_m_s": {
            "type": "SliderFloat",
            "value": 1.34,
            "min": 0.6,
            "max": 2.5,
            "step": 0.02,
            "label": "Desired speed (m/s)",
        },
        "waiting_zones": {
            "type": "InputText",
            "value": "",
            "label": "Zones waiting for the alarm (comma-separated)",
        },
        "seed": {"type": "InputText", "value": 1, "label": "Seed"},
    }
    plan_image = _plan_widget()
    point: solara.Reactive[tuple[float, float] | None] = solara.reactive(None)

    @solara.component
    def Plan(model: LiveRun) -> Any:
        update_counter.get()
        src, to_m = plan_png(model, point.value)

        def clicked(data: dict[str, float]) -> None:
            point.set(to_m(float(data["x"]), float(data["y"])))

        plan_image.element(src=src, on_click=clicked)

    @solara.component
    def Curve(model: LiveRun) -> Any:
        update_counter.get()
        solara.FigureMatplotlib(curve_figure(model), format="png")

    @solara.component
    def ExercisePanel(model: LiveRun) -> Any:
        update_counter.get()
        ex = model.exercise
        m = ex.model
        exit_name = solara.use_reactive(m.venue.exit_names[0] if m.venue.exit_names else "")
        zone = solara.use_reactive(ex.waiting[0] if ex.waiting else "")
        shelter = solara.use_reactive(m.venue.shelters[0].name if m.venue.shelters else "")
        out = solara.use_reactive("exercise.toml")
        note = solara.use_reactive("")

        def act(fn: Any, *a: Any) -> None:
            try:
                fn(*a)
                note.set(f"t = {ex.time_s:.1f} s: done")
            except Exception as err:  # a user's mistake shown on the page, never a crash
                note.set(str(err))
            force_update()

        with solara.Card("Exercise"):
            solara.Text(f"t = {ex.time_s:.1f} s; {_exits_line(model)}")
            if m.venue.exit_names:
                solara.Select("Exit", values=list(m.venue.exit_names), value=exit_name)
                with solara.Row():
                    solara.Button(
                        "Close exit", on_click=lambda: act(ex.close_exit, exit_name.value)
                    )
                    solara.Button("Open exit", on_click=lambda: act(ex.open_exit, exit_name.value))
            if point.value is None:
                solara.Text("Click the plan to place a threat.")
            else:
                x, y = point.value
                solara.Text(f"threat point: ({x:.1f}, {y:.1f}) m")
                solara.Button("Start threat here", on_click=lambda: act(ex.start_threat, x, y))
            if ex.waiting:
                solara.Select("Waiting zone", values=list(ex.waiting), value=zone)
                solara.Button("Raise the alarm", on_click=lambda: act(ex.raise_alarm, zone.value))
            if m.venue.shelters:
                solara.Select("Shelter", values=[s.name for s in m.venue.shelters], value=shelter)
                solara.Button("Lock shelter", on_click=lambda: act(ex.lock_shelter, shelter.value))
            solara.InputText("Save as", value=out)
            solara.Button("Save exercise as scenario", on_click=lambda: act(ex.save, out.value))
            solara.Text(note.value)
            for inj in ex.injections:
                solara.Text(f"{inj.time_s:.1f} s: {inj.kind} {inj.name}")

    @solara.component
    def Page() -> Any:
        model = solara.use_memo(lambda: LiveRun(scenario_path=scenario_path), [])
        SolaraViz(
            model,
            components=[(Plan, 0), (ExercisePanel, 0), (Curve, 0)],
            model_params=model_params,
            name=f"crowdsim — {scenario.name}",
            play_interval=150,
        )

    return Page


#: Solara's entry point (set when the module is served by :func:`serve`).
Page: Any = _components(os.environ[SCENARIO_ENV]) if os.environ.get(SCENARIO_ENV) else None


def serve(scenario_path: str | Path, *, host: str = "127.0.0.1", port: int = 8765) -> int:
    """Serve the app for a scenario file until stopped (Ctrl-C or SIGTERM)."""
    global Page
    os.environ[SCENARIO_ENV] = str(Path(scenario_path).resolve())
    Page = _components(os.environ[SCENARIO_ENV])
    from solara.__main__ import main as solara_main

    argv = [
        "solara",
        "run",
        "crowdsim.replay.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
    ]
    old = sys.argv
    sys.argv = argv
    try:
        solara_main()
    except SystemExit as done:
        return int(done.code or 0)
    finally:
        sys.argv = old
    return 0
