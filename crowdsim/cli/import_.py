"""``crowdsim import PLAN [--map MAP.toml] --out VENUE.toml``: a CAD plan or GIS site as a venue.

A ``.dxf`` floor plan is read with ezdxf (:mod:`crowdsim.venue.dxf`), a ``.geojson`` site with
the GeoJSON reader (:mod:`crowdsim.venue.geojson`); the mapping file (optional) says which
layers or feature properties become which features. The command prints what was imported,
what was ignored and why, writes the venue file, and validates it like any venue file: a venue
that does not validate is still written (to be corrected) and the error names its file, the
feature and the fix, with exit status 2. Both readers need the ``import`` extra.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from crowdsim.errors import OutputError, SetupError, VenueError

#: File endings the command imports, and what from.
READERS = {".dxf": "CAD floor plan (DXF)", ".geojson": "GIS site (GeoJSON)", ".json": "GeoJSON"}


def add(sub: Any) -> None:
    """Declare the command on the ``crowdsim`` subparsers ``sub``."""
    p = sub.add_parser(
        "import",
        help="turn a CAD floor plan (.dxf) or a GIS site (.geojson) into a venue file",
        description="Import a DXF floor plan or a GeoJSON site as a crowdsim venue file, report "
        "what was imported and ignored, and validate the result.",
    )
    p.add_argument("file", type=Path, help="the plan (.dxf) or site (.geojson)")
    p.add_argument("--map", type=Path, help="mapping file (.toml): layers or properties → features")
    p.add_argument("--out", type=Path, required=True, help="venue file to write (.toml)")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.set_defaults(func=import_command)


def import_command(args: argparse.Namespace) -> int:
    """Handler of ``crowdsim import``; returns the exit status."""
    from crowdsim.venue import load_venue
    from crowdsim.venue.imports import read_settings
    from crowdsim.venue.writer import venue_toml

    source: Path = args.file
    suffix = source.suffix.lower()
    if suffix not in READERS:
        raise VenueError(
            str(source),
            "file",
            f"crowdsim imports {', '.join(READERS)} files, not "
            f"{suffix or 'files without an ending'}; export the plan as DXF or the site as GeoJSON",
        )
    if not source.is_file():
        raise VenueError(str(source), "file", "not found; check the path")
    out: Path = args.out
    if out.exists() and not args.force:
        raise OutputError(str(out), "file", "exists; give --force to replace it, or another --out")
    if not out.parent.is_dir():
        raise OutputError(str(out), "folder", f"{out.parent} does not exist; create it first")
    settings = read_settings(args.map)
    try:
        if suffix == ".dxf":
            from crowdsim.venue.dxf import import_dxf

            data, report = import_dxf(source, settings)
        else:
            from crowdsim.venue.geojson import import_geojson

            data, report = import_geojson(source, settings)
    except ImportError as err:
        raise SetupError(
            str(source),
            "import",
            f"needs {err.name or 'a package'}, which is not installed; install the import "
            "extra: pip install -e '.[import]'",
        ) from None
    header = f"Venue imported from {source.name} by crowdsim import; see the import report."
    try:
        out.write_text(venue_toml(data, header=header), encoding="utf-8")
    except OSError as err:
        raise OutputError(str(out), "file", f"cannot be written ({err.strerror})") from None
    failure: VenueError | None = None
    try:
        venue = load_venue(out)
    except VenueError as err:
        failure = err
    if args.json:
        summary: dict[str, Any] = {"written": str(out), "report": report.as_dict()}
        summary["valid"] = failure is None
        print(json.dumps(summary))
    else:
        print("\n".join(report.lines()))
        if failure is None:
            print(
                f"wrote {out}: {len(venue.exits)} exits, {len(venue.obstacles)} obstacles, "
                f"{len(venue.zones)} zones ({venue.total_people} people), "
                f"{len(venue.shelters)} shelters; check it with: crowdsim check {out}"
            )
        else:
            print(f"wrote {out}, but it does not validate yet:")
    if failure is not None:
        raise failure
    return 0
