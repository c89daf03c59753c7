"""DXF floor plans imported as venues: an architect-style plan drawn with ezdxf in the test."""

from __future__ import annotations

from pathlib import Path

import ezdxf
import numpy as np
import pytest
import shapely
from ezdxf import units

from crowdsim.model.scenario import Scenario
from crowdsim.study import run
from crowdsim.venue import VenueError, load_venue, venue_from_mapping
from crowdsim.venue.dxf import import_dxf
from crowdsim.venue.imports import Settings, read_settings
from crowdsim.venue.writer import venue_toml

#: Where the architect placed the plan: survey coordinates, in millimetres.
X0_MM, Y0_MM = 32_512_000_000.0, 5_403_000_000.0


def _mm(x_m: float, y_m: float) -> tuple[float, float]:
    return (X0_MM + 1000 * x_m, Y0_MM + 1000 * y_m)


def architect_plan(path: Path, *, unitless: bool = False) -> Path:
    """A 30 m × 20 m hall in mm, far from the origin, drawn the way architects draw.

    Layers: A-WALL (outer walls as polylines, a 4 mm gap at the north-east corner), A-DOOR
    (a door block in the east wall's opening, and a line across the west opening, labelled),
    S-COLS (two columns as circles), FURN-SEAT (a row of seat blocks), A-KIOSK (a kiosk with a
    bulged end), Z-STALLS (a hatched standing zone with a label), DIMS (a dimension line).
    """
    doc = ezdxf.new(units=0 if unitless else units.MM)
    msp = doc.modelspace()
    for layer in ("A-WALL", "A-DOOR", "S-COLS", "FURN-SEAT", "A-KIOSK", "Z-STALLS", "DIMS"):
        doc.layers.add(layer)
    wall = {"layer": "A-WALL"}
    msp.add_lwpolyline([_mm(0, 10), _mm(0, 20), _mm(30, 20.004)], dxfattribs=wall)
    msp.add_lwpolyline([_mm(30, 20), _mm(30, 11.2)], dxfattribs=wall)
    msp.add_lwpolyline([_mm(30, 9.8), _mm(30, 0), _mm(0, 0), _mm(0, 8)], dxfattribs=wall)
    door = doc.blocks.new("DOOR-1400")  # leaf and swing of a 1.4 m door, hinge at (0, 0)
    door.add_line((0, 0), (1400, 0))
    door.add_arc((0, 0), 1400, 0, 90)
    msp.add_blockref("DOOR-1400", _mm(30, 9.8), dxfattribs={"layer": "A-DOOR", "rotation": 90})
    msp.add_line(_mm(0, 8), _mm(0, 10), dxfattribs={"layer": "A-DOOR"})
    msp.add_text("Main door", dxfattribs={"layer": "A-DOOR", "insert": _mm(0.8, 9)})
    for x in (10, 20):
        msp.add_circle(_mm(x, 10), 250, dxfattribs={"layer": "S-COLS"})
    seat = doc.blocks.new("SEAT")
    seat.add_lwpolyline([(0, 0), (450, 0), (450, 450), (0, 450)], close=True)
    for k in range(6):
        msp.add_blockref("SEAT", _mm(4 + 0.6 * k, 17), dxfattribs={"layer": "FURN-SEAT"})
    kiosk = [(*_mm(14, 3), 0.0), (*_mm(16, 3), 1.0), (*_mm(16, 5), 0.0), (*_mm(14, 5), 0.0)]
    msp.add_lwpolyline(kiosk, format="xyb", close=True, dxfattribs={"layer": "A-KIOSK"})
    hatch = msp.add_hatch(dxfattribs={"layer": "Z-STALLS"})
    hatch.paths.add_polyline_path([_mm(2, 2), _mm(28, 2), _mm(28, 14), _mm(2, 14)], is_closed=True)
    msp.add_text("Stalls", dxfattribs={"layer": "ANNO", "insert": _mm(6, 6)})
    msp.add_line(_mm(0, -2), _mm(30, -2), dxfattribs={"layer": "DIMS"})
    out = path / "hall.dxf"
    doc.saveas(out)
    return out


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dxf")
    mapping = folder / "map.toml"
    mapping.write_text(
        'crowdsim_import = 1\nname = "Civic hall"\n[layers]\n'
        '"Z-STALLS" = { kind = "zones", people = 200 }\n'
    )
    data, report = import_dxf(architect_plan(folder), read_settings(mapping))
    text = venue_toml(data)
    venue_file = folder / "hall.toml"
    venue_file.write_text(text)
    return data, report, load_venue(venue_file)


def test_the_plan_becomes_a_valid_venue_in_metres_near_the_origin(imported):
    data, _, venue = imported
    assert venue.name == "Civic hall"
    # The 4 mm gap at the north-east corner is closed at its middle.
    assert venue.bounds == pytest.approx((0.0, 0.0, 30.0, 20.002), abs=1e-3)
    # The survey offset is kept, in metres, so the venue maps back onto the drawing.
    assert data["origin"]["x_m"] == X0_MM / 1000 and data["origin"]["y_m"] == Y0_MM / 1000


def test_layers_map_to_the_features_they_name(imported):
    _, _, venue = imported
    kinds = sorted(o.kind for o in venue.obstacles)
    assert kinds.count("column") == 2 and kinds.count("furniture") == 6
    assert kinds.count("bar") == 1 and kinds.count("wall") >= 2
    columns = [o for o in venue.obstacles if o.kind == "column"]
    assert all(o.geometry.area == pytest.approx(np.pi * 0.25**2, rel=0.02) for o in columns)
    seats = [o for o in venue.obstacles if o.kind == "furniture"]
    assert all(o.geometry.area == pytest.approx(0.45**2, rel=1e-6) for o in seats)
    # The kiosk's bulge (a half circle of radius 1 m) is flattened, not dropped.
    kiosk = next(o for o in venue.obstacles if o.kind == "bar")
    assert kiosk.geometry.area == pytest.approx(2 * 2 + np.pi * 1.0**2 / 2, rel=0.01)


def test_exits_come_from_door_lines_and_door_blocks_with_their_labels(imported):
    _, _, venue = imported
    widths = {e.name: round(e.width_m, 3) for e in venue.exits}
    assert widths == {"Main door": 2.0, "exit 2": 1.4}


def test_walls_are_thick_and_leave_the_door_openings_their_width(imported):
    _, _, venue = imported
    walls = [o for o in venue.obstacles if o.kind == "wall"]
    # 0.2 m walls centred on the outline: the floor loses a 0.1 m strip along the walls.
    inside_west_door = venue.walkable.intersection(shapely.box(0.0, 8.0, 0.3, 10.0)).area
    assert inside_west_door == pytest.approx(2.0 * 0.3, rel=1e-6)
    beside_it = venue.walkable.intersection(shapely.box(0.0, 6.0, 0.3, 8.0)).area
    assert beside_it == pytest.approx(2.0 * (0.3 - 0.1), rel=1e-6)
    assert sum(w.geometry.area for w in walls) > 0.2 * (2 * 30 + 2 * 20 - 4)


def test_the_zone_is_named_by_its_label_and_loses_its_obstacles(imported):
    _, _, venue = imported
    zone = venue.zones[0]
    assert zone.name == "Stalls" and zone.people == 200
    lost = np.pi * 0.25**2 * 2 + (4 + np.pi / 2)  # two columns and the kiosk inside it
    assert venue.zone_floor(zone).area == pytest.approx(26 * 12 - lost, rel=0.01)


def test_the_report_names_units_gaps_origin_and_what_was_ignored(imported):
    _, report, _ = imported
    text = "\n".join(report.lines())
    assert "units: mm (drawing header $INSUNITS = 4)" in text
    assert "closed 1 gap(s) between line ends, the widest 0.4 cm" in text
    assert "moved by (-32512000, -5403000) m to a local origin" in text
    assert "LINE on layer 'DIMS': layer mapped to ignore" in text


def test_the_imported_plan_evacuates(imported):
    _, _, venue = imported
    result = run(Scenario.for_venue(venue, time_limit_s=300), seed=2)
    assert result.completed and result.evacuated == 200 and result.wall_penetrations == 0
    assert set(result.per_exit) == {"Main door", "exit 2"}


def test_a_drawing_without_units_asks_for_them_in_the_mapping_file(tmp_path):
    plan = architect_plan(tmp_path, unitless=True)
    with pytest.raises(VenueError, match=r"\$INSUNITS: the drawing does not give its unit"):
        import_dxf(plan, Settings())
    data, report = import_dxf(plan, Settings(units="mm"))
    assert "units: mm (mapping file" in "\n".join(report.lines())
    assert venue_from_mapping(data, source="<test>").bounds[2] == pytest.approx(30.0, abs=1e-3)


def test_a_file_that_is_no_drawing_is_one_error_line(tmp_path):
    bad = tmp_path / "plan.dxf"
    bad.write_text("not a drawing\n")
    with pytest.raises(VenueError) as info:
        import_dxf(bad, Settings())
    assert str(info.value).startswith(f"{bad}: DXF: not a readable DXF drawing")
    assert "\n" not in str(info.value)
