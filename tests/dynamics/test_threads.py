"""The kernel's thread count follows the measured cost of its calls."""

import pytest

from crowdsim.dynamics import threads
from crowdsim.dynamics.threads import PARALLEL_MIN_PEOPLE, PROBE_EVERY, ThreadChoice

CROWD = PARALLEL_MIN_PEOPLE


def run(choice: ThreadChoice, cost_s: dict[int, float], calls: int) -> list[int]:
    """Picks of ``calls`` calls whose cost per agent-step is ``cost_s[threads]``."""
    picks = []
    for _ in range(calls):
        k = choice.pick(CROWD, 2)
        choice.record(cost_s[k] * CROWD, CROWD)
        picks.append(k)
    return picks


def test_small_crowds_and_single_thread_settings_run_on_one_thread():
    choice = ThreadChoice()
    assert choice.pick(PARALLEL_MIN_PEOPLE - 1, 2) == 1
    choice.record(1.0, 10)
    assert choice.pick(CROWD, 1) == 1
    choice.record(1.0, 10)
    assert choice.cost_s == {}  # nothing learnt from either


def test_a_new_thread_setting_starts_the_measurements_afresh():
    choice = ThreadChoice()
    run(choice, {1: 1e-6, 2: 5e-7}, PROBE_EVERY + 1)
    assert choice.pick(CROWD, 4) == 4 and choice.cost_s == {}


def test_every_thread_runs_first_one_thread_is_tried_later_the_first_call_untimed():
    choice = ThreadChoice()
    picks = run(choice, {1: 1e-6, 2: 5e-7}, PROBE_EVERY + 1)
    assert picks == [2] * (PROBE_EVERY - 1) + [1, 1]
    assert choice.cost_s == {1: pytest.approx(1e-6), 2: pytest.approx(5e-7)}


@pytest.mark.parametrize(("fast", "slow"), [(2, 1), (1, 2)])
def test_the_cheaper_count_runs_and_the_other_is_tried_again_now_and_then(fast, slow):
    choice = ThreadChoice()
    picks = run(choice, {fast: 5e-7, slow: 6e-7}, 5 * PROBE_EVERY + 1)[PROBE_EVERY + 1 :]
    assert picks.count(slow) == 2 * 4  # two calls every PROBE_EVERY calls
    assert picks.count(fast) == len(picks) - 8


def test_a_count_much_costlier_is_tried_more_rarely(monkeypatch):
    monkeypatch.setattr(threads, "MAX_PROBE_SPACING", 16)
    choice = ThreadChoice()
    picks = run(choice, {1: 1e-6, 2: 1e-5}, 10 * PROBE_EVERY)[PROBE_EVERY + 1 :]
    # Ten times costlier: tried again at the 10 × PROBE_EVERY-th call, not before.
    assert picks[-2:] == [1, 2] and picks.count(2) == 1


def test_the_choice_follows_a_machine_whose_load_changes():
    choice = ThreadChoice()
    run(choice, {1: 1e-6, 2: 5e-7}, 2 * PROBE_EVERY)
    late = run(choice, {1: 1e-6, 2: 3e-6}, 6 * PROBE_EVERY)  # the other core got busy
    assert late[-PROBE_EVERY // 2 :] == [1] * (PROBE_EVERY // 2)
