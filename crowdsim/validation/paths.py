"""Where the validation suite finds its files: scenario files and the experimental data.

The suite runs from a clone of the repository: scenario and venue files live in
``experiments/validation/``, and the Jülich/Wuppertal experimental data ship with the clone in
``data/juelich/`` (with their README, licences and citations), so a fresh clone validates with
no extra step. ``CROWDSIM_DATA_DIR`` names another copy of the data folder if wanted.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Root of the repository clone (the folder that holds ``crowdsim/`` and ``experiments/``).
REPO_ROOT = Path(__file__).resolve().parents[2]
#: Scenario and venue files of the validation suite.
SCENARIO_DIR = REPO_ROOT / "experiments" / "validation"
#: The experimental data shipped with the repository.
SHIPPED_DATA_DIR = REPO_ROOT / "data" / "juelich"
#: Environment variable that overrides the experimental data folder.
DATA_ENV = "CROWDSIM_DATA_DIR"


class DataMissingError(FileNotFoundError):
    """The experimental data folder (or a file in it) is not where the suite looks.

    Its message is one line that names the path and the fix; the validation report shows that
    line instead of a traceback.
    """


def data_dir() -> Path:
    """The folder of the Jülich/Wuppertal experimental data.

    ``$CROWDSIM_DATA_DIR`` if set, else ``data/juelich`` in the repository clone.

    Raises:
        DataMissingError: If the folder does not exist, with the fix in the message.
    """
    override = os.environ.get(DATA_ENV)
    if override:
        path = Path(override)
        if not path.is_dir():
            raise DataMissingError(
                f"experimental data folder {path} (from ${DATA_ENV}) not found; "
                f"unset {DATA_ENV} to use the data shipped in data/juelich, or point it at a copy"
            )
        return path
    if not SHIPPED_DATA_DIR.is_dir():
        raise DataMissingError(
            f"experimental data folder {SHIPPED_DATA_DIR} not found; run the suite from a full "
            f"clone of the crowdsim repository (it ships data/juelich) or set {DATA_ENV} to a "
            "copy of that folder"
        )
    return SHIPPED_DATA_DIR


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
