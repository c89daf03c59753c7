"""Where the validation suite finds its files: scenario files and the experimental data.

The suite runs from a clone of the repository: scenario and venue files live in
``experiments/validation/``; the Jülich/Wuppertal experimental data live beside the clone in
``shared/data/juelich/`` (as in CI) unless ``CROWDSIM_DATA_DIR`` names another folder.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Root of the repository clone (the folder that holds ``crowdsim/`` and ``experiments/``).
REPO_ROOT = Path(__file__).resolve().parents[2]
#: Scenario and venue files of the validation suite.
SCENARIO_DIR = REPO_ROOT / "experiments" / "validation"
#: Environment variable that overrides the experimental data folder.
DATA_ENV = "CROWDSIM_DATA_DIR"


class DataMissingError(FileNotFoundError):
    """The experimental data folder (or a file in it) is not where the suite looks."""


def data_dir() -> Path:
    """The folder of the Jülich/Wuppertal experimental data.

    ``$CROWDSIM_DATA_DIR`` if set, else ``shared/data/juelich`` beside the repository clone.

    Raises:
        DataMissingError: If the folder does not exist, with the fix in the message.
    """
    override = os.environ.get(DATA_ENV)
    path = Path(override) if override else REPO_ROOT.parent / "shared" / "data" / "juelich"
    if not path.is_dir():
        raise DataMissingError(
            f"experimental data folder {path} not found; place the Jülich data there "
            f"(shared/data/juelich beside the clone) or set {DATA_ENV} to its folder"
        )
    return path


def scenario_path(name: str) -> Path:
    """Path of a file in ``experiments/validation/``.

    Raises:
        FileNotFoundError: If it is missing (crowdsim installed without its repository).
    """
    path = SCENARIO_DIR / name
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: validation scenario not found; run the suite from a clone of the "
            "crowdsim repository (pip install -e .)"
        )
    return path
