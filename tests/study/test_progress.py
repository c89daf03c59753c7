"""Progress: runs done, failures and censored runs so far, time left; plain lines off a terminal."""

import io

from crowdsim.study import COMPLETED, ERROR, TIME_LIMIT, Progress, RunRecord
from crowdsim.study import progress as progress_module


def record(status: str) -> RunRecord:
    return RunRecord(key="k", seed=0, layout="base", status=status)


def test_progress_counts_failures_and_censored_runs_and_logs_plain_lines(monkeypatch):
    monkeypatch.setattr(progress_module, "LOG_EVERY_S", 0.0)
    out = io.StringIO()
    bar = Progress(total=4, done=1, stream=out)
    assert bar.eta_s is None  # no run of this session yet
    for status in (COMPLETED, ERROR, TIME_LIMIT):
        bar.update(record(status))
    bar.add_total(2)
    bar.close()
    assert (bar.done, bar.new, bar.failed, bar.censored, bar.total) == (4, 3, 1, 1, 6)
    assert bar.eta_s is not None and bar.eta_s > 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("runs: 2/4 done (failed 0, censored 0)")
    assert lines[-1].startswith("runs: 4/6 done (failed 1, censored 1), about ")


def test_a_disabled_progress_writes_nothing():
    out = io.StringIO()
    bar = Progress(total=2, stream=out, enabled=False)
    bar.update(record(COMPLETED))
    bar.close()
    assert out.getvalue() == "" and bar.done == 1
