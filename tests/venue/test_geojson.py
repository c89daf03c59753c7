"""GeoJSON sites imported as venues: a festival site written in the test, in lon/lat."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from pyproj import Geod, Transformer

from crowdsim.model.scenario import Scenario
from crowdsim.study import run
from crowdsim.venue import VenueError, load_venue
from crowdsim.venue.geojson import import_geojson
from crowdsim.venue.imports import Settings
from crowdsim.venue.writer import venue_toml

#: The site lies in Cologne; points are given in metres east and north of this corner (UTM 32N).
UTM = "EPSG:25832"
CORNER_E, CORNER_N = 356_000.0, 5_645_000.0


def _site(folder: Path, *, lonlat: bool = True, extra: list | None = None) -> Path:
    """A 100 m × 60 m festival site inside a perimeter fence, written as GeoJSON."""
    to_lonlat = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)

    def pt(x: float, y: float) -> list[float]:
        e, n = CORNER_E + x, CORNER_N + y
        return list(to_lonlat.transform(e, n)) if lonlat else [e, n]

    def line(*pts):
        return {"type": "LineString", "coordinates": [pt(*p) for p in pts]}

    def poly(*pts):
        return {"type": "Polygon", "coordinates": [[pt(*p) for p in (*pts, pts[0])]]}

    def feature(kind, geometry, **props):
        return {"type": "Feature", "properties": {"crowdsim": kind, **props}, "geometry": geometry}

    features = [
        feature("fence", line((0, 0), (100, 0), (100, 60), (0, 60), (0, 0)), name="perimeter"),
        feature("gate", line((40, 0), (46, 0)), name="main gate"),
        feature("gate", line((100, 25), (100, 29)), name="east gate"),
        feature("stage", poly((35, 50), (65, 50), (65, 58), (35, 58)), name="main stage"),
        feature("fence", line((20, 10), (20, 40)), name="crowd fence", thickness_m=0.1),
        feature("gate", line((20, 20), (20, 24)), name="fence gap"),
        feature("bollards", line((30, 6), (56, 6)), name="HVM line", gap_m=1.2, diameter_m=0.25),
        feature("zone", poly((30, 30), (70, 30), (70, 48), (30, 48)), name="front", people=400),
        feature("zone", poly((5, 5), (18, 5), (18, 50), (5, 50)), name="west field", people=150),
        {
            "type": "Feature",
            "properties": {"name": "info"},
            "geometry": {"type": "Point", "coordinates": pt(50, 20)},
        },
        *(extra or []),
    ]
    data: dict = {"type": "FeatureCollection", "features": features}
    if not lonlat:
        data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}}
    path = folder / "site.geojson"
    path.write_text(json.dumps(data))
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("geojson")
    data, report = import_geojson(_site(folder), Settings())
    path = folder / "site.toml"
    path.write_text(venue_toml(data))
    return data, report, load_venue(path)


def test_lon_lat_are_projected_to_metres_that_keep_areas_and_lengths(site):
    data, report, venue = site
    # The site's area on the ellipsoid (the UTM grid itself is scaled by about 0.9997 there).
    to_lonlat = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
    corners = [(0, 0), (100, 0), (100, 60), (0, 60)]
    lon, lat = to_lonlat.transform(*np.array([(CORNER_E + x, CORNER_N + y) for x, y in corners]).T)
    true_area, true_perimeter = Geod(ellps="WGS84").polygon_area_perimeter(lon, lat)
    assert venue.area.area == pytest.approx(abs(true_area), abs=0.5)  # of 6,000 m²
    assert venue.area.exterior.length == pytest.approx(true_perimeter, abs=0.02)
    assert "transverse Mercator" in "\n".join(report.lines())
    assert data["origin"]["crs"].startswith("+proj=tmerc")


def test_fences_gates_bollards_stages_and_zones(site):
    _, report, venue = site
    assert sorted(e.name for e in venue.exits) == ["east gate", "main gate"]
    widths = {e.name: round(e.width_m, 1) for e in venue.exits}
    assert widths == {"main gate": 6.0, "east gate": 4.0}
    kinds = sorted(o.kind for o in venue.obstacles)
    assert kinds == ["bollard", "fence", "fence", "stage"]  # the inner fence, cut at its gap
    fence = shapely_union([o.geometry for o in venue.obstacles if o.kind == "fence"])
    assert fence.bounds[3] - fence.bounds[1] == pytest.approx(30.0 + 0.1, abs=0.05)
    assert fence.area == pytest.approx((30.0 - 4.0 + 2 * 0.1) * 0.1, rel=0.02)
    assert [z.people for z in venue.zones] == [400, 150]
    text = "\n".join(report.lines())
    assert "runs along the site outline, which is a wall already" in text
    assert "feature without a kind: no 'crowdsim' property" in text


def shapely_union(geoms):
    import shapely

    return shapely.union_all(geoms)


def test_a_projected_file_is_used_in_its_own_metres(tmp_path):
    data, report = import_geojson(_site(tmp_path, lonlat=False), Settings())
    assert "EPSG:25832" in data["origin"]["crs"] or "25832" in data["origin"]["crs"]
    assert data["origin"]["x_m"] == CORNER_E and data["origin"]["y_m"] == CORNER_N
    assert "used as they are" in "\n".join(report.lines())


def test_the_imported_site_evacuates(site):
    _, _, venue = site
    result = run(Scenario.for_venue(venue, time_limit_s=400), seed=1)
    assert result.completed and result.evacuated == 550 and result.wall_penetrations == 0


def test_a_site_without_an_outline_is_one_error(tmp_path):
    path = tmp_path / "empty.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(VenueError, match="no area polygon and the fences and gates enclose no"):
        import_geojson(path, Settings())
    path.write_text("{not json")
    with pytest.raises(VenueError, match="GeoJSON: not valid JSON"):
        import_geojson(path, Settings())
