"""Reading venue files: the format, and one-line errors for every kind of bad input."""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest
import shapely

from crowdsim.venue import VenueError, load_venue, venue_from_mapping

WriteVenue = Callable[..., Path]
ExpectVenueError = Callable[..., VenueError]


def test_minimal_venue_loads(write_venue: WriteVenue, minimal_toml: str) -> None:
    path = write_venue(minimal_toml)
    venue = load_venue(path)
    assert venue.source == str(path)
    assert venue.name == "Room"
    assert venue.area.area == pytest.approx(80.0)
    assert venue.exit_names == ("door",)
    assert venue.exit("door").width_m == pytest.approx(2.0)
    assert venue.total_people == 20
    assert venue.layouts == {}


def test_every_geometry_form_loads(write_venue: WriteVenue, minimal_toml: str) -> None:
    text = minimal_toml.replace(
        "rect = [0, 0, 10, 8]",
        "polygon = [[0, 0], [10, 0], [10, 8], [0, 8], [0, 0]]\nholes = [[[7, 6], [8, 6], [8, 7]]]",
    )
    text += """
[[obstacles]]
name = "block"
kind = "bar"
polygon = [[7, 1], [9, 1], [9, 2]]
[[obstacles]]
name = "pillar"
kind = "column"
circle = {center = [8, 4], radius_m = 0.25}
[[obstacles]]
name = "fence"
kind = "fence"
line = [[6.5, 2.5], [6.5, 5.5]]
thickness_m = 0.1
[[obstacles]]
name = "posts"
kind = "bollard"
bollards = {line = [[1, 7.5], [5, 7.5]], diameter_m = 0.2, gap_m = 0.8}
[[obstacles]]
name = "crate"
rect = [9, 7, 10, 8]
"""
    venue = load_venue(write_venue(text))
    kinds = {o.name: o.kind for o in venue.obstacles}
    assert kinds == {
        "block": "bar",
        "pillar": "column",
        "fence": "fence",
        "posts": "bollard",
        "crate": "other",
    }
    geometry = {o.name: o.geometry for o in venue.obstacles}
    assert geometry["block"].area == pytest.approx(1.0)
    assert geometry["pillar"].area == pytest.approx(math.pi * 0.25**2, rel=0.01)
    assert geometry["fence"].area == pytest.approx(0.1 * (3 + 0.1))  # square caps
    assert len(shapely.get_parts(geometry["posts"])) == 5
    assert len(venue.area.interiors) == 1


def test_optional_top_level_keys(write_venue: WriteVenue, minimal_toml: str) -> None:
    text = minimal_toml.replace(
        'name = "Room"', 'name = "Room"\nunits = "m"\ndescription = "A small room."'
    )
    venue = load_venue(write_venue(text))
    assert venue.description == "A small room."


def test_density_zone_computes_people(write_venue: WriteVenue, minimal_toml: str) -> None:
    text = minimal_toml.replace("people = 20", "density_pm2 = 1.25")
    venue = load_venue(write_venue(text))
    assert venue.zones[0].people == round(1.25 * 30)
    assert venue.zones[0].density_pm2 == pytest.approx(38 / 30)


def test_exit_width_matching_the_line_is_accepted(
    write_venue: WriteVenue, minimal_toml: str
) -> None:
    text = minimal_toml.replace(
        "line = [[10, 3], [10, 5]]", "line = [[10, 3], [10, 5]]\nwidth_m = 2.005"
    )
    assert load_venue(write_venue(text)).exit("door").width_m == pytest.approx(2.0)


def test_layouts_are_read(write_venue: WriteVenue, minimal_toml: str) -> None:
    text = (
        minimal_toml
        + """
[[obstacles]]
name = "desk"
kind = "furniture"
rect = [7, 6, 9, 7]

[[exits]]
name = "back door"
line = [[0, 3], [0, 5]]

[layouts.screening]
description = "Back door closed, desk out, a screening lane in"
close_exits = ["back door"]
remove_obstacles = ["desk"]

[[layouts.screening.add_obstacles]]
name = "lane"
kind = "screening"
rect = [8, 1, 9, 2]
"""
    )
    venue = load_venue(write_venue(text))
    layout = venue.layouts["screening"]
    assert layout.description == "Back door closed, desk out, a screening lane in"
    assert layout.close_exits == ("back door",)
    assert layout.remove_obstacles == ("desk",)
    assert [o.name for o in layout.add_obstacles] == ["lane"]
    screened = load_venue(write_venue(text), layout="screening")
    assert screened.layout == "screening"
    assert [o.name for o in screened.obstacles] == ["lane"]
    assert screened.exit_names == ("door",)
    assert [e.name for e in screened.closed_exits] == ["back door"]


def test_venue_from_mapping(minimal_toml: str) -> None:
    import tomllib

    venue = venue_from_mapping(tomllib.loads(minimal_toml), source="memory")
    assert venue.source == "memory"
    with pytest.raises(VenueError, match=r"^memory: top level: missing required key 'name'$"):
        venue_from_mapping({"crowdsim_venue": 1}, source="memory")


# -- file-level errors -----------------------------------------------------------------------------


def test_file_not_found(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    with pytest.raises(VenueError, match=r": file: not found; check the path$") as info:
        load_venue(path)
    assert info.value.source == str(path)


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(VenueError, match=r": file: is a folder"):
        load_venue(tmp_path)


def test_toml_syntax_error_gives_line_and_column(
    write_venue: WriteVenue, expect_venue_error: ExpectVenueError
) -> None:
    path = write_venue('crowdsim_venue = 1\nname = "Room"\nunits = \n')
    expect_venue_error(path, "TOML syntax", "Invalid value (at line 3, column 9)")


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "Café"'.encode("latin-1"))
    with pytest.raises(VenueError, match=r": file: is not UTF-8 text"):
        load_venue(path)


def test_venue_error_pickles_and_keeps_its_parts() -> None:
    error = VenueError("hall.toml", "zone 'stalls'", "people must be a whole number, got '500'")
    assert str(error) == "hall.toml: zone 'stalls': people must be a whole number, got '500'"
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.source, copy.feature, copy.fix) == (error.source, error.feature, error.fix)
    assert str(copy) == str(error)
    assert isinstance(error, ValueError)


def test_venue_error_is_one_line() -> None:
    assert str(VenueError("a.toml", "[area]", "first\nsecond")) == "a.toml: [area]: first second"


# -- key and value errors --------------------------------------------------------------------------

# (case id, old text in the minimal venue, new text, feature, part of the fix)
EDIT_CASES = [
    (
        "missing version",
        "crowdsim_venue = 1\n",
        "",
        "top level",
        "missing required key 'crowdsim_venue'",
    ),
    (
        "unsupported version",
        "crowdsim_venue = 1",
        "crowdsim_venue = 2",
        "top level",
        "crowdsim_venue = 2 is not a supported format version; this crowdsim reads version 1",
    ),
    (
        "version as text",
        "crowdsim_venue = 1",
        'crowdsim_venue = "1"',
        "top level",
        "crowdsim_venue = '1' is not a supported",
    ),
    (
        "feet",
        'name = "Room"',
        'name = "Room"\nunits = "ft"',
        "top level",
        "units must be \"m\" (metres), got 'ft'",
    ),
    (
        "unknown top-level key",
        'name = "Room"',
        'nmae = "Room"',
        "top level",
        "unknown key 'nmae'; did you mean 'name'?",
    ),
    (
        "unknown zone key",
        "people = 20",
        "peopel = 20",
        "[[zones]] #1",
        "unknown key 'peopel'; did you mean 'people'?",
    ),
    (
        "unknown key, no close match",
        "people = 20",
        "people = 20\ncolour = 3",
        "[[zones]] #1",
        "unknown key 'colour'; choose one of: name, level, polygon, rect, holes, people, "
        "density_pm2",
    ),
    (
        "missing area",
        "[area]\nrect = [0, 0, 10, 8]\n",
        "",
        "top level",
        "give either [area] (a venue of one level) or [[levels]] (several levels), not neither",
    ),
    ("missing name", 'name = "Room"\n', "", "top level", "missing required key 'name'"),
    (
        "empty name",
        'name = "Room"',
        'name = ""',
        "top level",
        "name must be a non-empty string, got ''",
    ),
    ("missing zone name", 'name = "floor"\n', "", "[[zones]] #1", "missing required key 'name'"),
    (
        "people as text",
        "people = 20",
        'people = "500"',
        "zone 'floor'",
        "people must be a whole number, got '500'",
    ),
    (
        "people as float",
        "people = 20",
        "people = 20.5",
        "zone 'floor'",
        "people must be a whole number, got 20.5",
    ),
    (
        "people and density",
        "people = 20",
        "people = 20\ndensity_pm2 = 1.0",
        "zone 'floor'",
        "give exactly one of people, density_pm2 (found: people, density_pm2)",
    ),
    (
        "no people",
        "people = 20\n",
        "",
        "zone 'floor'",
        "give exactly one of people, density_pm2 (found: none)",
    ),
    (
        "negative density",
        "people = 20",
        "density_pm2 = -1",
        "zone 'floor'",
        "density_pm2 must be >= 0, got -1",
    ),
    (
        "density as bool",
        "people = 20",
        "density_pm2 = true",
        "zone 'floor'",
        "density_pm2 must be a number, got True",
    ),
    (
        "two geometries",
        "rect = [1, 1, 6, 7]",
        "rect = [1, 1, 6, 7]\npolygon = [[1, 1], [2, 1], [2, 2]]",
        "zone 'floor'",
        "give exactly one of polygon, rect (found: polygon, rect)",
    ),
    (
        "no geometry",
        "rect = [1, 1, 6, 7]\n",
        "",
        "zone 'floor'",
        "give exactly one of polygon, rect (found: none)",
    ),
    (
        "point not a pair",
        "rect = [1, 1, 6, 7]",
        "polygon = [[1, 1], [6, 1, 0], [6, 7]]",
        "zone 'floor'",
        "polygon point 2 must be a pair of numbers [x, y], got [6, 1, 0]",
    ),
    (
        "point of text",
        "rect = [1, 1, 6, 7]",
        'polygon = [[1, 1], ["6", 1], [6, 7]]',
        "zone 'floor'",
        "polygon point 2 must be a pair of numbers [x, y], got ['6', 1]",
    ),
    (
        "polygon not a list",
        "rect = [1, 1, 6, 7]",
        'polygon = "square"',
        "zone 'floor'",
        "polygon must be a list of [x, y] points, got 'square'",
    ),
    (
        "too few points",
        "rect = [1, 1, 6, 7]",
        "polygon = [[1, 1], [6, 1], [1, 1]]",
        "zone 'floor'",
        "polygon needs at least 3 distinct points, got 2",
    ),
    (
        "inverted rect",
        "rect = [1, 1, 6, 7]",
        "rect = [6, 1, 1, 7]",
        "zone 'floor'",
        "rect must be [xmin, ymin, xmax, ymax] with xmin < xmax and ymin < ymax, got [6, 1, 1, 7]",
    ),
    (
        "short rect",
        "rect = [0, 0, 10, 8]",
        "rect = [0, 0, 10]",
        "[area]",
        "rect must be [xmin, ymin, xmax, ymax]",
    ),
    (
        "holes not a list",
        "rect = [0, 0, 10, 8]",
        "rect = [0, 0, 10, 8]\nholes = 3",
        "[area]",
        "holes must be a list of polygons",
    ),
    (
        "bad hole point",
        "rect = [0, 0, 10, 8]",
        "rect = [0, 0, 10, 8]\nholes = [[[7, 6], [8, 6], 8]]",
        "[area]",
        "holes #1 point 3 must be a pair of numbers",
    ),
    (
        "unknown area key",
        "rect = [0, 0, 10, 8]",
        "rectangle = [0, 0, 10, 8]",
        "[area]",
        "unknown key 'rectangle'; did you mean 'rect'?",
    ),
    (
        "bent exit",
        "line = [[10, 3], [10, 5]]",
        "line = [[10, 3], [10, 4], [10, 5]]",
        "exit 'door'",
        "line must be a straight segment [[x1, y1], [x2, y2]], got 3 points",
    ),
    (
        "exit width mismatch",
        "line = [[10, 3], [10, 5]]",
        "line = [[10, 3], [10, 5]]\nwidth_m = 2.4",
        "exit 'door'",
        "width_m = 2.4 does not match the line's length 2.000 m (within 1 cm)",
    ),
    (
        "exit width as text",
        "line = [[10, 3], [10, 5]]",
        'line = [[10, 3], [10, 5]]\nwidth_m = "2"',
        "exit 'door'",
        "width_m must be a number, got '2'",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "feature", "fix"),
    [case[1:] for case in EDIT_CASES],
    ids=[case[0] for case in EDIT_CASES],
)
def test_key_and_value_errors(
    write_venue: WriteVenue,
    minimal_toml: str,
    expect_venue_error: ExpectVenueError,
    old: str,
    new: str,
    feature: str,
    fix: str,
) -> None:
    assert old in minimal_toml
    expect_venue_error(write_venue(minimal_toml.replace(old, new, 1)), feature, fix)


# (case id, TOML appended to the minimal venue, feature, part of the fix)
ADDED_CASES = [
    (
        "line without thickness",
        '[[obstacles]]\nname = "fence"\nkind = "fence"\nline = [[7, 1], [7, 2]]\n',
        "obstacle 'fence'",
        "missing required key 'thickness_m'",
    ),
    (
        "thickness on a rect",
        '[[obstacles]]\nname = "desk"\nrect = [7, 1, 8, 2]\nthickness_m = 0.1\n',
        "obstacle 'desk'",
        "thickness_m applies only to a line obstacle; remove it",
    ),
    (
        "zero thickness",
        '[[obstacles]]\nname = "fence"\nline = [[7, 1], [7, 2]]\nthickness_m = 0\n',
        "obstacle 'fence'",
        "thickness_m must be > 0, got 0",
    ),
    (
        "negative radius",
        '[[obstacles]]\nname = "pillar"\ncircle = {center = [8, 4], radius_m = -0.3}\n',
        "obstacle 'pillar' circle",
        "radius_m must be > 0, got -0.3",
    ),
    (
        "circle without center",
        '[[obstacles]]\nname = "pillar"\ncircle = {radius_m = 0.3}\n',
        "obstacle 'pillar' circle",
        "missing required key 'center'",
    ),
    (
        "circle centre misspelt",
        '[[obstacles]]\nname = "pillar"\ncircle = {centre = [8, 4], radius_m = 0.3}\n',
        "obstacle 'pillar' circle",
        "unknown key 'centre'; did you mean 'center'?",
    ),
    (
        "circle as a number",
        '[[obstacles]]\nname = "pillar"\ncircle = 0.3\n',
        "obstacle 'pillar'",
        "circle must be a table, got 0.3",
    ),
    (
        "bollards without gap",
        '[[obstacles]]\nname = "posts"\nbollards = {line = [[7, 1], [7, 5]], diameter_m = 0.2}\n',
        "obstacle 'posts' bollards",
        "missing required key 'gap_m'",
    ),
    (
        "bollards with zero gap",
        '[[obstacles]]\nname = "posts"\n'
        "bollards = {line = [[7, 1], [7, 5]], diameter_m = 0.2, gap_m = 0}\n",
        "obstacle 'posts' bollards",
        "gap_m must be > 0, got 0",
    ),
    (
        "bollard line of one point",
        '[[obstacles]]\nname = "posts"\n'
        "bollards = {line = [[7, 1]], diameter_m = 0.2, gap_m = 1}\n",
        "obstacle 'posts' bollards",
        "line needs at least 2 distinct points, got 1",
    ),
    (
        "obstacle name as number",
        "[[obstacles]]\nname = 5\nrect = [7, 1, 8, 2]\n",
        "[[obstacles]] #1",
        "name must be a non-empty string, got 5",
    ),
    (
        "shelter capacity as float",
        '[[shelters]]\nname = "safe room"\nrect = [7, 6, 9, 8]\ncapacity = 10.5\n',
        "shelter 'safe room'",
        "capacity must be a whole number, got 10.5",
    ),
    (
        "shelter without capacity",
        '[[shelters]]\nname = "safe room"\nrect = [7, 6, 9, 8]\n',
        "shelter 'safe room'",
        "missing required key 'capacity'",
    ),
    (
        "layout named base",
        '[layouts.base]\nclose_exits = ["door"]\n',
        "layout 'base'",
        "'base' is the unmodified venue; name the layout otherwise",
    ),
    (
        "unknown layout key",
        '[layouts.locked]\nclose_exit = ["door"]\n',
        "layout 'locked'",
        "unknown key 'close_exit'; did you mean 'close_exits'?",
    ),
    (
        "close_exits not a list",
        '[layouts.locked]\nclose_exits = "door"\n',
        "layout 'locked'",
        "close_exits must be a list of names",
    ),
    (
        "layout obstacle unknown key",
        '[layouts.lane]\n[[layouts.lane.add_obstacles]]\nname = "lane"\n'
        'rect = [7, 1, 8, 2]\nknd = "screening"\n',
        "layout 'lane' [[add_obstacles]] #1",
        "unknown key 'knd'; did you mean 'kind'?",
    ),
    (
        "layout obstacle bad value",
        '[layouts.lane]\n[[layouts.lane.add_obstacles]]\nname = "lane"\nrect = [7, 1, 8]\n',
        "obstacle 'lane' (layout 'lane')",
        "rect must be [xmin, ymin, xmax, ymax]",
    ),
]


@pytest.mark.parametrize(
    ("toml", "feature", "fix"),
    [case[1:] for case in ADDED_CASES],
    ids=[case[0] for case in ADDED_CASES],
)
def test_feature_errors(
    write_venue: WriteVenue,
    minimal_toml: str,
    expect_venue_error: ExpectVenueError,
    toml: str,
    feature: str,
    fix: str,
) -> None:
    expect_venue_error(write_venue(minimal_toml + toml), feature, fix)


@pytest.mark.parametrize(
    ("table", "value", "fix"),
    [
        (
            '[[exits]]\nname = "door"\nline = [[10, 3], [10, 5]]\n',
            "exits = 3",
            "exits must be an array of tables ([[exits]]), got 3",
        ),
        (
            '[[zones]]\nname = "floor"\nrect = [1, 1, 6, 7]\npeople = 20\n',
            'zones = ["floor"]',
            "zones must be an array of tables ([[zones]]), got ['floor']",
        ),
        (
            "[area]\nrect = [0, 0, 10, 8]\n",
            "area = [0, 0, 10, 8]",
            "area must be a table, got [0, 0, 10, 8]",
        ),
        ("", "layouts = 3", "layouts must hold tables [layouts.NAME], got 3"),
        ("", 'layouts = {locked = "door"}', "layouts must hold tables [layouts.NAME]"),
    ],
)
def test_top_level_value_types(
    write_venue: WriteVenue,
    minimal_toml: str,
    expect_venue_error: ExpectVenueError,
    table: str,
    value: str,
    fix: str,
) -> None:
    assert table in minimal_toml
    text = value + "\n" + minimal_toml.replace(table, "")
    expect_venue_error(write_venue(text), "top level", fix)


def test_unknown_layout_is_named_with_the_choices(
    write_venue: WriteVenue, minimal_toml: str, expect_venue_error: ExpectVenueError
) -> None:
    text = minimal_toml + '[layouts.locked]\nclose_exits = ["door"]\n'
    expect_venue_error(
        write_venue(text),
        "layout 'lockd'",
        "unknown layout; choose one of: base, locked",
        layout="lockd",
    )
