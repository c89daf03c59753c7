"""How many threads the kernel runs on: whichever has been faster on this machine, lately.

The kernel's results do not depend on the number of threads, so the choice is free to follow
the machine. On a quiet machine two threads beat one; on a machine whose other core is busy,
or where waking a sleeping thread is slow (small virtual machines), the second thread can cost
far more than it brings: a 4,000-person evacuation on a 2-vCPU machine ran 6–10 times slower on
two threads than on one while its crowd jammed at the exit. :class:`ThreadChoice` therefore
times every kernel call per agent-step, runs on every thread at first and then on the count
that has been cheaper, and every :data:`PROBE_EVERY` calls (times how many times costlier the
other count has been, up to :data:`MAX_PROBE_SPACING`) runs two calls on the other count, the
first of which wakes its threads and is not timed, so that it follows a machine whose load
changes. Small crowds always run on one thread.
"""

from __future__ import annotations

#: Below this many people inside, the kernel runs on one thread: starting threads costs more
#: than it saves, and on a busy machine waiting for a descheduled thread costs far more.
PARALLEL_MIN_PEOPLE = 3000
#: Every this many kernel calls (one call is a model step, usually 0.1 s simulated) two calls
#: run on the thread count not in use: about 3 % of the calls.
PROBE_EVERY = 64
#: ...or this many times more rarely when it has cost that many times more.
MAX_PROBE_SPACING = 16
#: Weight of the newest timing in a count's running cost (the rest is its earlier cost).
NEWEST_WEIGHT = 0.5


class ThreadChoice:
    """Picks 1 or every thread for each kernel call from the calls' measured costs."""

    def __init__(self) -> None:
        self.most = 0  # the most threads allowed; 0 until the first choice
        self.cost_s: dict[int, float] = {}  # running cost per agent-step of each count
        self.calls = 0
        self._last = 0  # the count of the previous call (0: none yet, or a small crowd)
        self._timed = False  # whether the call now running is timed

    def pick(self, people: int, most: int) -> int:
        """The thread count for the next call, with ``people`` inside and ``most`` allowed.

        A change of ``most`` (numba's setting) starts the measurements afresh.
        """
        if people < PARALLEL_MIN_PEOPLE or most <= 1:
            self._last, self._timed = 0, False
            return 1
        if most != self.most:
            self.most, self.cost_s, self.calls = most, {}, 0
        self.calls += 1
        if most not in self.cost_s:
            count = most  # every thread first: one is tried after PROBE_EVERY calls
        elif 1 not in self.cost_s:
            count = 1 if self.calls % PROBE_EVERY in (0, 1) else most
        else:
            best = 1 if self.cost_s[1] < self.cost_s[most] else most
            other = most if best == 1 else 1
            # The costlier the other count has been, the more rarely it is tried again.
            ratio = self.cost_s[other] / self.cost_s[best]
            every = PROBE_EVERY * max(1, min(round(ratio), MAX_PROBE_SPACING))
            count = other if self.calls % every in (0, 1) else best
        # The first call after a change of count wakes (or starts) its threads: not timed.
        self._timed = count == self._last
        self._last = count
        return count

    def record(self, seconds: float, agent_steps: int) -> None:
        """The call after the last pick took ``seconds`` (wall) for ``agent_steps``."""
        if not self._timed or agent_steps <= 0:
            return
        cost = seconds / agent_steps
        old = self.cost_s.get(self._last)
        if old is not None:
            cost = NEWEST_WEIGHT * cost + (1.0 - NEWEST_WEIGHT) * old
        self.cost_s[self._last] = cost
