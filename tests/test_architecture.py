"""The package's shape: layers import downwards only, no module imports itself round a loop."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest

import crowdsim.errors as errors

PACKAGE = Path(__file__).resolve().parents[1] / "crowdsim"

#: Layer of each top-level part of the package; a module may import its own layer or lower.
LAYERS = {
    "errors": 0,
    "tables": 0,
    "venue": 1,
    "navigation": 2,
    "dynamics": 2,
    "model": 3,
    "study": 4,
    "report": 5,
    "validation": 5,
    "replay": 5,
    "cli": 6,
    "__init__": 6,
}


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every crowdsim module ``path`` imports, at any depth of the file (functions included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("crowdsim"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("crowdsim"))
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module(p): p for p in PACKAGE.rglob("*.py")}
    return {
        name: {m for m in _imports(path) if m in files} - {name} for name, path in files.items()
    }


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS[parts[1] if len(parts) > 1 else "__init__"]


def test_imports_point_down_the_layers():
    upward = [
        f"{a} -> {b}"
        for a, targets in _graph().items()
        for b in targets
        if _layer(b) > _layer(a) and not a.endswith("__init__")
    ]
    assert not upward, upward


def test_no_module_imports_itself_round_a_loop():
    graph = _graph()
    for package in ("crowdsim.venue", "crowdsim.model", "crowdsim.dynamics", "crowdsim.study"):
        inner = {
            a: {b for b in targets if b.startswith(package) and b != package}
            for a, targets in graph.items()
            if a.startswith(package) and a != package
        }
        state: dict[str, int] = {}

        def visit(node: str, path: list[str], inner=inner, state=state) -> None:
            state[node] = 1
            for nxt in inner.get(node, ()):
                if state.get(nxt) == 1:
                    pytest.fail(" -> ".join([*path, node, nxt]))
                if nxt not in state:
                    visit(nxt, [*path, node])
            state[node] = 2

        for node in inner:
            if node not in state:
                visit(node, [])


def test_the_dynamics_take_arrays_only():
    for path in (PACKAGE / "dynamics").glob("*.py"):
        text = path.read_text()
        assert "import shapely" not in text and "from shapely" not in text, path.name
        assert "import mesa" not in text, path.name


@pytest.mark.parametrize(
    "cls", [errors.CrowdsimError, errors.VenueError, errors.ScenarioError, errors.SetupError]
)
def test_errors_survive_pickling_with_their_parts(cls):
    err = pickle.loads(pickle.dumps(cls("hall.toml", "zone 'stalls'", "lower the people")))
    assert type(err) is cls and str(err) == "hall.toml: zone 'stalls': lower the people"
    assert (err.source, err.feature, err.fix) == ("hall.toml", "zone 'stalls'", "lower the people")
