"""The kernel's exponential against exact values (50-digit decimals)."""

import math
from decimal import Decimal, localcontext

import numba as nb
import numpy as np

from crowdsim.dynamics.elementary import TABLE_RANGE, exp


@nb.njit(cache=True)
def _exp_all(x: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        out[i] = exp(x[i])
    return out


def _ulp_errors(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    errors = np.empty(len(x))
    with localcontext() as ctx:
        ctx.prec = 50
        for k, (xk, yk) in enumerate(zip(x, y, strict=True)):
            exact = Decimal(float(xk)).exp()
            errors[k] = abs(float((Decimal(float(yk)) - exact) / Decimal(math.ulp(float(exact)))))
    return errors


def test_exp_is_within_its_stated_error_where_the_kernel_uses_it():
    rng = np.random.default_rng(7)
    # The pair and wall terms take exponents between about -30 and the cap of 50.
    x = np.concatenate([rng.uniform(-60.0, 50.0, 3000), rng.uniform(-1e-3, 1e-3, 300)])
    errors = _ulp_errors(x, _exp_all(x))
    assert errors.max() < 0.52  # 0.51 ulp plus the rounding of the ulp itself


def test_exp_of_zero_and_tiny_arguments():
    x = np.array([0.0, -0.0, 1e-300, -1e-300, 2.0**-60, -(2.0**-60)])
    assert np.all(_exp_all(x) == 1.0)


def test_exp_beyond_the_table_overflows_and_underflows_like_numpy():
    x = np.array([TABLE_RANGE, 700.0, 710.0, -TABLE_RANGE, -745.0, -800.0, np.inf, -np.inf])
    with np.errstate(over="ignore", under="ignore"):
        assert np.array_equal(_exp_all(x), np.exp(x))
    assert np.isnan(_exp_all(np.array([np.nan]))[0])
