"""The exponential function as the kernel computes it: inline, the same on every machine.

The pair forces evaluate two exponentials per pair of neighbours, tens of millions per second.
A call of the C library's ``exp`` (what ``np.exp`` compiles to) costs a call through the
library's wrapper and dispatcher each time; :func:`exp` below is compiled into the kernel's loop
instead, at about half the cost.

It is Tang's table-driven method: x = k·ln2/N + r with N = 128 and |r| ≤ ln2/(2N), so that
exp(x) = 2^(k/N)·exp(r), where 2^(k/N) comes from a table and exp(r) − 1 from a polynomial of
degree 5, and every multiply-add is one fused multiply-add (one rounding). The table is that of
2^(k/N) correctly rounded, with its rounding error as a second entry; the constants are the
minimax polynomial and the split of ln2/N of the GNU C library's double-precision ``exp``. With
them, :func:`exp` returns the same bits as that library's ``exp`` on processors with fused
multiply-add, which it uses there (its worst error is 0.51 ulp); crowdsim's results therefore
did not change when the kernel moved from ``np.exp`` to :func:`exp`, and they no longer depend
on the C library of the machine that runs them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal, localcontext
from typing import cast

import numba as nb
import numpy as np
from llvmlite import ir
from numba import types
from numba.core.extending import intrinsic

#: Table size N: 2^(k/N) for k = 0 … N − 1.
TABLE_BITS = 7
_N = 1 << TABLE_BITS
#: N/ln2, rounded.
_INV_LN2_N = float.fromhex("0x1.71547652b82fep+7")
#: −ln2/N split in two: the first has trailing zero bits, so that k·(ln2/N)_hi is exact.
_NEG_LN2_HI_N = float.fromhex("-0x1.62e42fefa0000p-8")
_NEG_LN2_LO_N = float.fromhex("-0x1.cf79abc9e3b3ap-47")
#: Minimax coefficients of exp(r) − 1 − r ≈ r²·(C2 + C3·r) + r⁴·(C4 + C5·r).
_C2 = float.fromhex("0x1.ffffffffffdbdp-2")
_C3 = float.fromhex("0x1.555555555543cp-3")
_C4 = float.fromhex("0x1.55555cf172b91p-5")
_C5 = float.fromhex("0x1.1111167a4d017p-7")
#: 1.5·2^52: adding it rounds x·N/ln2 to an integer held in the low bits.
_SHIFT = float.fromhex("0x1.8p52")
#: Beyond this |x| the table would leave the exponent's range; :func:`exp` calls ``np.exp``.
TABLE_RANGE = 512.0


def _table() -> np.ndarray:
    """(2N,) uint64: for each k, the bits of tail_k and of scale_k less k·2^(52−7).

    scale_k is 2^(k/N) rounded to double and tail_k = (2^(k/N) − scale_k)/scale_k rounded.
    """
    out = np.empty(2 * _N, np.uint64)
    with localcontext() as ctx:
        ctx.prec = 60
        ln2 = Decimal(2).ln()
        for k in range(_N):
            exact = (ln2 * k / _N).exp()
            scale = float(exact)
            tail = float((exact - Decimal(scale)) / Decimal(scale))
            out[2 * k] = np.float64(tail).view(np.uint64)
            out[2 * k + 1] = np.uint64(
                (int(np.float64(scale).view(np.uint64)) - (k << (52 - TABLE_BITS))) % 2**64
            )
    return out


_TABLE = _table()


@intrinsic
def _fma(typingctx, a, b, c):
    """a·b + c rounded once (``llvm.fma``: the instruction, or a correctly rounded routine)."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        double = ir.DoubleType()
        fn = builder.module.declare_intrinsic(
            "llvm.fma", [double], ir.FunctionType(double, [double] * 3)
        )
        return builder.call(fn, args)

    return sig, codegen


@intrinsic
def _bits(typingctx, x):
    """The 64 bits of a double as an unsigned integer."""
    sig = types.uint64(types.float64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return sig, codegen


@intrinsic
def _double(typingctx, u):
    """The double whose 64 bits are the unsigned integer ``u``."""
    sig = types.float64(types.uint64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return sig, codegen


#: a·b + c rounded once, callable in compiled code (typed for the readers of this module).
fma = cast(Callable[[float, float, float], float], _fma)
_as_bits = cast(Callable[[float], np.uint64], _bits)
_as_double = cast(Callable[[np.uint64], float], _double)


@nb.njit(cache=True, inline="always")
def exp(x: float) -> float:
    """e^x to within 0.51 ulp, the same bits on every machine; ``np.exp`` for |x| ≥ 512."""
    if not abs(x) < TABLE_RANGE:  # overflow, underflow, NaN
        return math.exp(x)
    table = _TABLE
    kd = fma(x, _INV_LN2_N, _SHIFT)
    ki = _as_bits(kd)
    kd -= _SHIFT
    r = fma(kd, _NEG_LN2_HI_N, x)
    r = fma(kd, _NEG_LN2_LO_N, r)
    idx = np.uint64(2) * (ki & np.uint64(_N - 1))
    tail = _as_double(table[idx])
    scale = _as_double(table[idx + np.uint64(1)] + (ki << np.uint64(52 - TABLE_BITS)))
    r2 = r * r
    tmp = fma(r2 * r2, fma(r, _C5, _C4), fma(fma(r, _C3, _C2), r2, r + tail))
    return fma(scale, tmp, scale)
