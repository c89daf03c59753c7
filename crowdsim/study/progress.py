"""Progress of a study or sweep: runs done, time left, failures and censored runs so far.

On a terminal, a bar (tqdm) with the rate and ETA of the runs done in this session (runs found
finished in the store count as done from the start but not towards the rate); elsewhere (a CI
log, a pipe) one plain line every :data:`LOG_EVERY_S` seconds and at the end.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any

from crowdsim.study.record import ERROR, TIME_LIMIT, RunRecord

#: Seconds between progress lines when the output is no terminal.
LOG_EVERY_S = 30.0


class Progress:
    """Counts runs as they finish and shows it.

    Args:
        total: Runs in the plan.
        done: Runs finished already (found in the store).
        label: What is counted, e.g. ``"runs"``.
        stream: Where to write (default: standard error).
        enabled: False shows nothing (counts are still kept).
    """

    def __init__(
        self,
        *,
        total: int,
        done: int = 0,
        label: str = "runs",
        stream: IO[str] | None = None,
        enabled: bool = True,
    ) -> None:
        self.total, self.done, self.label = total, done, label
        self.failed = self.censored = self.new = 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.start = time.monotonic()
        self._last_log = self.start
        self._bar: Any = None
        if enabled and self.stream.isatty():
            from tqdm import tqdm

            self._bar = tqdm(
                total=total, initial=done, unit="run", desc=label, file=self.stream, smoothing=0.1
            )

    def add_total(self, more: int) -> None:
        """More runs were planned (``--until-ci`` adds batches)."""
        self.total += more
        if self._bar is not None:
            self._bar.total = self.total
            self._bar.refresh()

    def update(self, record: RunRecord) -> None:
        """One run finished."""
        self.done += 1
        self.new += 1
        self.failed += record.status == ERROR
        self.censored += record.status == TIME_LIMIT
        if self._bar is not None:
            self._bar.set_postfix_str(self._counts(), refresh=False)
            self._bar.update(1)
        elif self.enabled and time.monotonic() - self._last_log >= LOG_EVERY_S:
            self._log()

    @property
    def eta_s(self) -> float | None:
        """Seconds left at the rate of this session's runs (None before the first)."""
        if self.new == 0:
            return None
        rate = self.new / max(time.monotonic() - self.start, 1e-9)
        return (self.total - self.done) / rate

    def close(self) -> None:
        """Finish the bar, or write the last line."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self.enabled:
            self._log()

    def _counts(self) -> str:
        return f"failed {self.failed}, censored {self.censored}"

    def _log(self) -> None:
        self._last_log = time.monotonic()
        eta = self.eta_s
        left = "" if eta is None else f", about {_duration(eta)} left"
        print(
            f"{self.label}: {self.done}/{self.total} done ({self._counts()}){left}",
            file=self.stream,
            flush=True,
        )


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
