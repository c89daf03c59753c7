"""The errors a user can cause, one family: each names the source, the feature and the fix.

Every problem with a user's input (a venue or scenario file, a venue or scenario built in code,
the set-up of a run, a file to write) is a :class:`CrowdsimError`; its message is one line,
``"{source}: {feature}: {fix}"``, for example
``"hall.toml: zone 'stalls': people must be a whole number, got '500'"``. The command line
catches this family alone: anything else is a programming error and shows its traceback.

The errors derive from :class:`ValueError` (bad input is a bad value) and pickle with their
three parts, so they cross process boundaries (process pools, Dask) intact.
"""

from __future__ import annotations


class CrowdsimError(ValueError):
    """Bad input, and how to fix it.

    Attributes:
        source: File the input came from (``"<python>"`` for objects built in code).
        feature: The offending feature, e.g. ``"zone 'stalls'"`` or ``"[area]"``.
        fix: What is wrong and what to change.
    """

    def __init__(self, source: str, feature: str, fix: str) -> None:
        self.source = source
        self.feature = feature
        self.fix = fix
        super().__init__(" ".join(f"{source}: {feature}: {fix}".splitlines()))

    def __reduce__(self) -> tuple[type[CrowdsimError], tuple[str, str, str]]:
        return (type(self), (self.source, self.feature, self.fix))


class VenueError(CrowdsimError):
    """A venue (file or Python object) that cannot be simulated."""


class ScenarioError(CrowdsimError):
    """A scenario (file or Python object) that cannot be run."""


class SetupError(CrowdsimError):
    """A run that cannot be set up or go on: people, targets, events or numerics."""


class OutputError(CrowdsimError):
    """A file crowdsim was asked to write or read back that it cannot."""
