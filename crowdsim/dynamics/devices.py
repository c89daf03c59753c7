"""Where the kernel runs: the CPU (always), or an NVIDIA GPU with the ``gpu`` extra.

The GPU kernel (:mod:`crowdsim.dynamics.gpu`) computes the same physics as the CPU kernel from
the same inputs; nothing imports it, or numba-cuda, unless a stepper is asked for ``"cuda"``.
"""

from __future__ import annotations

#: The devices a stepper can run its kernel on.
DEVICES = ("cpu", "cuda")


class DeviceUnavailable(RuntimeError):
    """The device asked for cannot run the kernel here; the message says why and what to do."""


def check_device(device: str) -> str:
    """``device`` if it is one of :data:`DEVICES`.

    Raises:
        ValueError: Otherwise, naming the choices.
    """
    if device not in DEVICES:
        raise ValueError(f"device {device!r}: use one of {', '.join(DEVICES)}")
    return device
