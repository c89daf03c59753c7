"""Replays for trainers: videos, a browser player, pictures and a live exercise app.

This layer reads trajectory files and results only (the live app drives a model through
:func:`crowdsim.study.build`); nothing in the model or study depends on it.
"""

from crowdsim.replay.files import Replay, load_replay, recover

__all__ = ["Replay", "load_replay", "recover"]
