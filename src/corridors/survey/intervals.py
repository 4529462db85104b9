"""Confidence intervals and design degrees of freedom for survey estimates (95 %).

The SQL of ``estimator.py`` returns, with each estimate and SE, what an interval needs: the design
degrees of freedom ``df`` and whether the estimate is a proportion. This module turns them into
bounds, as R's ``survey`` package (4.x) does:

- ``wald``: estimate +/- z(0.975) SE (R's ``confint(svymean(...))``).
- ``t``: estimate +/- t(0.975, df) SE (R's ``confint(svymean(...), df = degf(design))``).
- ``logit`` (proportions): expit(logit(p) +/- t(0.975, df) SE_logit) with SE_logit = SE / (p (1 - p))
  under Taylor linearisation, or the replicate SE of logit(p_r) with replicate weights (R's
  ``svyciprop(method = "logit")``, which fits ``svyglm(y ~ 1, family = quasibinomial)``).
- ``beta`` (proportions): Korn and Graubard (1998): a Clopper-Pearson interval at the effective
  sample size n_eff = p (1 - p) / V * (t(0.025, n - 1) / t(0.025, df))^2 (R's
  ``svyciprop(method = "beta")``).

``logit`` and ``beta`` apply to proportions (means of a 0/1 variable; ratios of 0/1 variables
with y <= x, such as the unemployment rate); every other estimate gets the ``t`` interval, and the
row's ``ci_method`` says which was used. Both stay inside [0, 1]. A proportion of exactly 0 or 1
has no logit or beta interval (NULL bounds), as in R (NaN).

``df`` is R's ``degf()`` of the design restricted to the estimate's domain (as ``svyby`` and
``subset`` give it): PSUs with a positive weight in the domain minus strata with such a PSU
(Taylor), or the rank of the domain's replicate weights minus 1 (replicate designs).
"""

from __future__ import annotations

import math
from typing import Literal, overload

import numpy as np

CI_METHODS = ("wald", "t", "logit", "beta")
DEFAULT_CI = "logit"
LEVEL = 0.95
RANK_TOL = 1e-5  # R: qr(weights, tol = 1e-5)$rank


@overload
def critical(df: float | None, wald: Literal[True]) -> float: ...


@overload
def critical(df: float | None, wald: bool = False) -> float | None: ...


def critical(df: float | None, wald: bool = False) -> float | None:
    """The 97.5 % quantile of Student's t with ``df`` degrees of freedom (the normal one for
    ``wald`` or an infinite df); None when df <= 0 (no interval, R gives NaN)."""
    from scipy import special

    upper = 1 - (1 - LEVEL) / 2
    if wald or df is None or math.isinf(df):
        return float(special.ndtri(upper))
    if df <= 0:
        return None
    return float(special.stdtrit(df, upper))


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def interval(method: str, estimate: float | None, se: float | None, df: float | None, *,
             proportion: bool = False, n: int = 0, se_logit: float | None = None
             ) -> tuple[float | None, float | None, str]:
    """(low, high, method used) for one estimate. ``n`` (sample persons in the base) enters the
    beta interval; ``se_logit`` is the SE of logit(p) (replicate designs)."""
    if method in ("logit", "beta") and not proportion:
        method = "t"
    if estimate is None or se is None or not math.isfinite(se):
        return None, None, method
    if method == "wald":
        z = critical(None, wald=True)
        return estimate - z * se, estimate + z * se, method
    crit = critical(df)
    if crit is None:
        return None, None, method
    if method == "t":
        return estimate - crit * se, estimate + crit * se, method
    p = estimate
    if not 0 < p < 1:
        return None, None, method
    if method == "logit":
        s = se / (p * (1 - p)) if se_logit is None else se_logit
        centre = _logit(p)
        return _expit(centre - crit * s), _expit(centre + crit * s), method
    if se == 0 or n < 2:
        return None, None, method
    from scipy import special

    alpha = 1 - LEVEL
    # no df is an infinite one, as in critical()
    n_eff = p * (1 - p) / se**2 * (special.stdtrit(n - 1, alpha / 2)
                                   / special.stdtrit(math.inf if df is None else df, alpha / 2)) ** 2
    low = special.betaincinv(n_eff * p, n_eff * (1 - p) + 1, alpha / 2)
    high = special.betaincinv(n_eff * p + 1, n_eff * (1 - p), 1 - alpha / 2)
    return float(low), float(high), method


def rank(gram: np.ndarray, tol: float = RANK_TOL) -> int:
    """Numerical rank of a matrix A from its Gram matrix A'A, as R's ``qr(A, tol)$rank``
    (LINPACK dqrdc2): columns in order, a column counts when its norm after removing the
    columns already counted is at least ``tol`` times its own norm."""
    size = gram.shape[0]
    basis: list[int] = []
    chol = np.zeros((size, size))
    for j in range(size):
        g = float(gram[j, j])
        if g <= 0:
            continue
        row = np.array([gram[j, k] for k in basis])
        if basis:
            solved = np.linalg.solve(chol[: len(basis), : len(basis)], row)
            residual = g - float(solved @ solved)
        else:
            solved = np.zeros(0)
            residual = g
        if residual <= 0 or math.sqrt(residual) < tol * math.sqrt(g):
            continue
        m = len(basis)
        chol[m, :m] = solved
        chol[m, m] = math.sqrt(residual)
        basis.append(j)
    return len(basis)
