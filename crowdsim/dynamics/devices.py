"""Where the kernel runs: the CPU (always), or an NVIDIA GPU with the ``gpu`` extra.

The GPU kernel (:mod:`crowdsim.dynamics.gpu`) computes the same physics as the CPU kernel from
the same inputs; nothing imports it, or numba-cuda, unless a stepper is asked for ``"cuda"``.
"""

from __future__ import annotations

import numba

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


def require(device: str) -> None:
    """Check that ``device`` can run the kernel on this machine (``"cpu"`` always can).

    For ``"cuda"`` this imports numba-cuda (the ``gpu`` extra) and asks it for a GPU; numba's
    CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``) counts as one.

    Raises:
        ValueError: If ``device`` is not one of :data:`DEVICES`.
        DeviceUnavailable: If it cannot run here, saying why and what to do.
    """
    if check_device(device) == "cpu":
        return
    try:
        from numba import cuda
    except ImportError as err:
        raise DeviceUnavailable(
            f"numba-cuda is not installed ({err}); install crowdsim[gpu], or run on the CPU "
            "(the default)"
        ) from None
    if not (numba.config.ENABLE_CUDASIM or cuda.is_available()):  # type: ignore[attr-defined]
        raise DeviceUnavailable(
            "numba-cuda finds no usable NVIDIA GPU or driver on this machine; run on the CPU "
            "(the default)"
        )
