"""Names of the time-series columns (the model's DataCollector table), one constant each.

Every module that writes or reads the table (the model, results, validation, reports) uses these
names, so a column is renamed in one place. Per-exit, per-shelter and per-checkpoint columns are
made by the functions below from the feature's name.
"""

from __future__ import annotations

#: Simulated time since the alarm (s).
TIME_S = "time_s"
#: People inside (not yet safe, arrived).
REMAINING = "remaining"
#: People out through any exit, cumulative.
EVACUATED = "evacuated"
#: People admitted to a shelter (runs with shelters).
SHELTERED = "sheltered"
#: People not safe: inside, or not arrived (runs with shelters).
UNPROTECTED = "unprotected"
#: People who reached the ingress destination (ingress runs).
ENTERED = "entered"


def exit_column(name: str) -> str:
    """Column of the cumulative count through the exit called ``name``."""
    return f"exit:{name}"


def shelter_column(name: str) -> str:
    """Column of the occupancy of the shelter called ``name``."""
    return f"shelter:{name}"


def queue_column(checkpoint: str) -> str:
    """Column of the queue length at the screening checkpoint called ``checkpoint``."""
    return f"queue:{checkpoint}"
