"""Studies: running scenarios, one run or many, the way every caller does.

:func:`run` is the one way in: the command line, the validation suite, the benchmarks and the
comparison and sweep tools all run a scenario through it.
"""

from crowdsim.study.runner import build, run, run_model

__all__ = ["build", "run", "run_model"]
