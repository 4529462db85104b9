"""Demographic accounting: the smallest set of moves that turns one bilateral stock table into the
next (Abel 2013, Demographic Research 28:18; Abel & Sander 2014, Science 343:1520; Abel 2018,
International Migration Review 52:3; Abel & Cohen 2019, Scientific Data 6:82).

For each place of birth ``b`` the people born in ``b`` are followed from their place of residence at
the start (``S1[b, :]``) to their place of residence at the end (``S2[b, :]``). That gives one
origin x destination table per birthplace whose row totals are the start stocks and whose column
totals are the end stocks. Two assumptions pick one table among the many that fit:

1. **Stayers**: as many people as possible stay where they were,
   ``stayers[b, i] = min(S1[b, i], S2[b, i])`` (the "minimum migration" assumption). What is left
   over is, for every place, either a surplus at the start (people who left) or at the end (people
   who arrived), never both.
2. **Quasi-independence**: the remaining moves follow a log-linear model
   ``moves[b, i, j] = alpha[b, i] * beta[b, j]`` with the stayer cells fixed, fitted by
   iterative proportional fitting (IPF) to the row and column surpluses. Auxiliary information
   (``seed``, e.g. the distance matrix of Abel 2018's supplementary example) enters only the
   independence model (``stayers=False``, as in Azose & Raftery 2019): under the stayer
   assumption the reference gives the same moves with and without it (EXPECTED.md e1/e2), so it
   is recorded in ``notes["seed"]`` as not used.

Flows are the moves summed over birthplaces, with the diagonal (stayers) set to zero.

**Births and deaths** (Abel 2013, section 2.2; Abel & Sander 2014 and Abel 2018, supplementary
material). Over a period the stocks also change by births and deaths, so, before the fit:

- *births* in place ``j`` are native-born (``birth_method="native"``): they are taken off the end
  stock of people born in ``j`` living in ``j``. Where the births of ``j`` exceed that stock (more
  births than native-born at home at the end, which happens with international data), the births
  of ``j`` are instead taken off *all* of ``j``'s end residents in proportion to their stocks by
  birthplace, as the reference implementation does; each such place is reported in
  ``notes["excess_births"]`` (never capped silently);
- *deaths* in place ``j`` are shared over the birthplaces of ``j``'s residents at the start in
  proportion to the start stocks (``death_method="proportion"``) and taken off the start stocks;
- the *birthplace totals* of the two tables (survivors of the start stocks and end stocks net of
  births) are then made equal, because each birthplace table must balance:

  - ``rescale`` (the reference's default, Abel & Sander 2014): first the native-born at home are
    adjusted so that the global change in stocks equals global births minus deaths (half of the
    gap added to the start native-born, half taken off the end native-born, each in proportion to
    the native-born stocks); then *both* tables are fitted by IPF to the midpoint of their
    birthplace totals, each keeping its own residence totals. The fit stops as the reference's
    does, when no cell moves by ``rescale_tol`` persons or more in a sweep (default 0.001; lower it
    to run the fit further);
  - ``open``: moves into and out of the system balance each birthplace: where the end total is
    larger, the start row is scaled up to it (arrivals from outside, placed like the start stocks);
    where the start total is larger, the end row is scaled up (departures to outside, placed like
    the end stocks); reproduces the ``open`` example e4 of Abel 2013;
  - ``open-dr``: the other direction: the larger of the two rows is scaled down to the smaller;
    reproduces example e3;
  - ``native`` (a corridors option for when births and deaths are unknown, as in the IMS store): the
    whole gap between a birthplace's totals is natural change of the native-born at home. It is
    added to the start native-born when the birthplace grows and to the end native-born when it
    shrinks, so the stayer rule absorbs it and it never appears as migration.

Every IPF runs to a stated tolerance within an iteration limit; if it does not converge
:class:`NotConvergedError` is raised (or, with ``on_failure="report"``, the result says so), never
silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from corridors.analytics.choices import DEFAULT_MAX_ITER, DEFAULT_RESCALE_TOL, DEFAULT_TOL
from corridors.analytics.flows.matrices import check_pair
from corridors.errors import CorridorsError

BirthplaceMatch = Literal["rescale", "open", "open-dr", "native"]
BIRTHPLACE_MATCHES: tuple[str, ...] = ("rescale", "open", "open-dr", "native")



class NotConvergedError(CorridorsError):
    """Iterative proportional fitting stopped at its iteration limit before matching the margins."""


@dataclass
class Fit:
    """An IPF result: the fitted array, iterations used, the final largest margin gap (persons)
    and whether it met the tolerance."""

    fitted: np.ndarray
    iterations: int
    gap: float
    converged: bool


def _ratio(target: np.ndarray, current: np.ndarray) -> np.ndarray:
    out = np.zeros_like(current)
    np.divide(target, current, out=out, where=current > 0)
    return out


def ipf(seed: np.ndarray, rows: np.ndarray, cols: np.ndarray, *, tol: float = DEFAULT_TOL,
        max_iter: int = DEFAULT_MAX_ITER, what: str = "IPF",
        on_failure: Literal["raise", "report"] = "raise", scale: float | None = None,
        copy: bool = True, criterion: Literal["margins", "change"] = "margins",
        cause: str = "") -> Fit:
    """Fit ``seed`` (``(..., n, n)``) to row totals ``rows`` and column totals ``cols``
    (``(..., n)``), all leading axes at once. Cells that are zero in the seed stay zero.

    ``criterion="margins"``: converged when the largest row gap after a column step is at most
    ``tol`` times ``scale`` (default: the largest margin, at least one person).
    ``criterion="change"``: converged when no cell moved by ``tol`` persons or more in the last
    sweep (the rule of the reference implementation), provided the row totals are then met to
    within ``max(100 tol, 1e-6 scale)``; a fit whose cells stop moving with its margins further
    apart has stalled on totals it cannot meet, and fails. Works on a copy of ``seed`` unless
    ``copy=False`` (then ``seed`` is overwritten: saves memory for large tables). ``cause`` is
    what a failure message names as the likely reason.
    """
    z = np.array(seed, dtype=float, copy=copy)
    rows = np.asarray(rows, dtype=float)
    cols = np.asarray(cols, dtype=float)
    if scale is None:
        scale = max(1.0, float(rows.max(initial=0.0)), float(cols.max(initial=0.0)))
    gap = np.inf
    iterations = 0
    change = np.inf
    for iterations in range(1, max_iter + 1):
        before = z.copy() if criterion == "change" else None
        z *= _ratio(rows, z.sum(axis=-1))[..., :, None]
        z *= _ratio(cols, z.sum(axis=-2))[..., None, :]
        gap = float(np.abs(z.sum(axis=-1) - rows).max(initial=0.0))
        if before is not None:
            change = float(np.abs(z - before).max(initial=0.0))
            if change < tol:
                # cells that no longer move while the margins stay apart mean the fit has
                # stalled on totals it cannot meet: that is a failure, not convergence
                if gap <= max(100 * tol, 1e-6 * scale):
                    return Fit(z, iterations, gap, True)
                break
        elif gap <= tol * scale:
            return Fit(z, iterations, gap, True)
    if on_failure == "raise":
        if criterion == "change" and change < tol:
            stop = "the cells no longer move: these totals cannot be met together"
        elif criterion == "change":
            stop = f"cells still moved by up to {change:,.6g} persons in the last sweep (tolerance {tol:g})"
        else:
            stop = f"tolerance {tol:g} x {scale:,.0f}"
        raise NotConvergedError(
            f"{what} did not converge: after {iterations:,} iterations the margins are still "
            f"{gap:,.6g} persons apart ({stop}). "
            + (cause or "The row and column totals may be inconsistent (e.g. unequal birthplace "
                        "totals: choose a birthplace match), or raise --max-iter.")
        )
    return Fit(z, iterations, gap, False)


def _one_sweep_flows(rows: np.ndarray, cols: np.ndarray, tol: float,
                     scale: float) -> tuple[np.ndarray, float] | None:
    """The flows (moves summed over birthplaces) of :func:`ipf` on the stayer model's seed (1
    where birthplace ``b`` has both a surplus at ``i`` and an arrival at ``j``, else 0) when one
    sweep meets the tolerance, or None when it does not (then run :func:`ipf`).

    That seed is an outer product per birthplace, so one sweep gives
    ``moves[b, i, j] = row_ratio[b, i] * col_ratio[b, j]``: the same numbers as :func:`ipf`'s
    first sweep, summed in the same order, without the ``n x n x n`` array (235 places: 100 MB
    per array, several of them). A move is non-zero only where birthplace ``b`` has a surplus at
    ``i`` and an arrival at ``j`` (about 12 x 30 of the 235 x 235 cells of a birthplace in the
    IMS), and adding a zero changes no sum, so only those moves are made and added up.
    """
    has_row = rows > 0
    has_col = cols > 0
    # the seed's row totals: the number of arrival places of the birthplace, where it has a surplus
    row_ratio = _ratio(rows, has_row * has_col.sum(axis=1, dtype=float)[:, None])
    # its column totals after the row step: the row ratios added up place by place (as the
    # reduction over the middle axis of the n x n x n array adds them), where an arrival is
    col_total = np.cumsum(row_ratio, axis=1)[:, -1]
    col_ratio = _ratio(cols, has_col * col_total[:, None])
    # the row totals of the moves, each over all n places (zeros included) as the n x n x n
    # array sums them: the same rounding; a birthplace's place without a surplus sums to 0
    b_i, i = np.nonzero(row_ratio)
    summed = np.zeros_like(row_ratio)
    summed[b_i, i] = (row_ratio[b_i, i][:, None] * col_ratio[b_i]).sum(axis=-1)
    gap = float(np.abs(summed - rows).max(initial=0.0))
    if gap > tol * scale:
        return None
    # every non-zero move (b, i, j), birthplace by birthplace: for each (b, i) with a surplus,
    # the arrivals j of b (``first[b]`` is where b's arrivals start in ``j``)
    b_j, j = np.nonzero(col_ratio)
    arrivals = np.bincount(b_j, minlength=rows.shape[0])
    first = np.cumsum(arrivals) - arrivals
    count = arrivals[b_i]
    pair = np.repeat(np.arange(b_i.size), count)
    within = np.arange(pair.size) - np.repeat(np.cumsum(count) - count, count)
    arrival = first[b_i][pair] + within
    moves = row_ratio[b_i, i][pair] * col_ratio[b_j, j][arrival]
    # added into each cell in birthplace order, from zero (bincount adds its weights in the
    # order given), as the n x n x n array's sum over birthplaces adds them
    n = cols.shape[1]
    flows = np.bincount(i[pair] * n + j[arrival], weights=moves, minlength=rows.shape[1] * n)
    return flows.reshape(rows.shape[1], n), gap


@dataclass
class AccountingResult:
    """Flows (origin x destination, zero diagonal) and how they were obtained."""

    flows: np.ndarray
    iterations: int
    gap: float
    converged: bool
    settings: dict
    notes: dict = field(default_factory=dict)
    by_birthplace: np.ndarray | None = None  # (birthplace, origin, destination), stayers on diag

    @property
    def total(self) -> float:
        return float(self.flows.sum())

    @property
    def excess_births(self) -> list[dict]:
        """Places whose births exceed their native-born at home at the end, and what was done."""
        return list(self.notes.get("excess_births", []))


def native_born_global_match(s1: np.ndarray, s2: np.ndarray, births: np.ndarray,
                             deaths: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Adjust the native-born at home so that global stock change = births - deaths.

    Half of the gap goes on the start native-born and half comes off the end native-born, each
    spread in proportion to the native-born stocks. Returns the adjusted copies and the gap.
    """
    s1 = s1.copy()
    s2 = s2.copy()
    gap = float((s2.sum() - s1.sum()) - (births.sum() - deaths.sum()))
    if gap == 0.0:
        return s1, s2, 0.0
    n1 = np.diag(s1).copy()
    n2 = np.diag(s2).copy()
    if n1.sum() <= 0 or n2.sum() <= 0:
        raise CorridorsError("no native-born at home to adjust to the global balance of births "
                             "and deaths: use --birthplace-match open or open-dr")
    np.fill_diagonal(s1, n1 + gap / 2 * n1 / n1.sum())
    np.fill_diagonal(s2, n2 - gap / 2 * n2 / n2.sum())
    if np.any(np.diag(s1) < 0) or np.any(np.diag(s2) < 0):
        raise CorridorsError(
            f"the global gap between stock change and births minus deaths ({gap:,.0f}) is larger "
            "than the native-born populations can absorb: check the births and deaths, or use "
            "--birthplace-match open"
        )
    return s1, s2, gap


def _scale_rows(m: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Rows of ``m`` scaled to ``target``; an empty row receives its target at home."""
    totals = m.sum(axis=1)
    out = m * _ratio(target, totals)[:, None]
    empty = (totals <= 0) & (target > 0)
    idx = np.flatnonzero(empty)
    out[idx, idx] += target[idx]
    return out


def _names(places: Sequence[str] | None, n: int) -> list[str]:
    return list(places) if places is not None else [f"place {i + 1}" for i in range(n)]


def birth_table(births: np.ndarray, stock_end: np.ndarray, places: Sequence[str] | None = None
                ) -> tuple[np.ndarray, list[dict]]:
    """Births by birthplace (rows) and place of residence (columns).

    Births are native-born: the births of ``j`` come off the end stock of ``j``-born living in
    ``j``. Where they exceed that stock, the births of ``j`` come off all of ``j``'s end residents
    in proportion to their stocks by birthplace (the reference's ``birth_non_negative`` rule).
    Returns the table and one record per such place.
    """
    n = len(births)
    names = _names(places, n)
    table = np.diag(births).astype(float)
    native = np.diag(stock_end)
    residents = stock_end.sum(axis=0)
    excess: list[dict] = []
    for j in np.flatnonzero(births > native):
        if births[j] > residents[j]:
            raise CorridorsError(
                f"births in {names[j]} ({births[j]:,.6g}) exceed everyone living there at the end "
                f"of the period ({residents[j]:,.6g}): check the births file and the end stocks "
                "(same place, same period, same units)")
        table[:, j] = stock_end[:, j] * (births[j] / residents[j])
        excess.append({
            "place": names[j], "births": float(births[j]), "native_born_end": float(native[j]),
            "excess": float(births[j] - native[j]),
            "treatment": f"births of {names[j]} taken off all its {residents[j]:,.6g} end "
                         "residents in proportion to their stocks by birthplace (Abel 2018)",
        })
    return table, excess


def _rescale_cause(m: np.ndarray, names: list[str]) -> str:
    """Why a table may not meet both its birthplace and residence totals: places whose residents
    are all native-born, so their residence total pins their birthplace row."""
    only_native = [names[j] for j in range(m.shape[0])
                   if m[j, j] > 0 and np.count_nonzero(m[:, j]) == 1]
    text = ("A place whose residents are all native-born, or a birthplace living in one place only, "
            "cannot give its birthplace total without changing its residence total")
    if only_native:
        text += f" (here: {', '.join(only_native[:10])})"
    return text + ". Use --birthplace-match open (moves into and out of the system) for these data."


def match_birthplace_totals(m1: np.ndarray, m2: np.ndarray, method: str, *,
                            tol: float = DEFAULT_TOL, max_iter: int = DEFAULT_MAX_ITER,
                            rescale_tol: float = DEFAULT_RESCALE_TOL,
                            on_failure: Literal["raise", "report"] = "raise",
                            places: Sequence[str] | None = None,
                            ) -> tuple[np.ndarray, np.ndarray, list[Fit]]:
    """Make the birthplace (row) totals of the two tables equal. Returns both tables and, for
    ``rescale``, the IPF fits of the start and end tables (iterations, gap, converged)."""
    t1 = m1.sum(axis=1)
    t2 = m2.sum(axis=1)
    if method == "open":
        up = np.maximum(t1, t2)
        return _scale_rows(m1, up), _scale_rows(m2, up), []
    if method == "open-dr":
        down = np.minimum(t1, t2)
        return _scale_rows(m1, down), _scale_rows(m2, down), []
    if method == "native":
        m1 = m1.copy()
        m2 = m2.copy()
        change = t2 - t1
        idx = np.arange(len(change))
        m1[idx, idx] += np.clip(change, 0.0, None)
        m2[idx, idx] += np.clip(-change, 0.0, None)
        return m1, m2, []
    if method == "rescale":
        names = _names(places, len(t1))
        apart = float(m2.sum() - m1.sum())
        if abs(apart) > 1e-9 * max(1.0, float(m1.sum())):
            raise CorridorsError(
                f"the start and end tables hold different totals after births and deaths "
                f"({m1.sum():,.6g} survivors vs {m2.sum():,.6g} non-newborn residents, "
                f"{apart:,.6g} apart), so no birthplace totals can fit both: some deaths could "
                "not be allocated (deaths above the residents of a place, see "
                "notes['deaths_unallocated']). Check the deaths, or use --birthplace-match open")
        middle = (t1 + t2) / 2
        fits = []
        for table, label in ((m1, "start"), (m2, "end")):
            fits.append(ipf(table, middle, table.sum(axis=0), tol=rescale_tol, max_iter=max_iter,
                            criterion="change", on_failure=on_failure, cause=_rescale_cause(table, names),
                            what=f"rescaling the {label} stocks to the common birthplace totals"))
        return fits[0].fitted, fits[1].fitted, fits
    raise ValueError(f"birthplace match must be one of {BIRTHPLACE_MATCHES}, not {method!r}")


def demographic_accounting(
    stock_start: np.ndarray,
    stock_end: np.ndarray,
    births: np.ndarray | None = None,
    deaths: np.ndarray | None = None,
    *,
    seed: np.ndarray | None = None,
    birthplace_match: BirthplaceMatch = "rescale",
    stayers: bool = True,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
    rescale_tol: float = DEFAULT_RESCALE_TOL,
    keep_by_birthplace: bool = False,
    on_failure: Literal["raise", "report"] = "raise",
    places: Sequence[str] | None = None,
) -> AccountingResult:
    """Flows between places over a period from the stock tables at its start and end.

    ``stock_start``/``stock_end``: square arrays, rows = place of birth, columns = place of
    residence. ``births``/``deaths``: events per place of residence over the period (omit both for
    a closed system). ``seed``: auxiliary origin x destination weights (e.g. distances), used by
    the independence model (``stayers=False``, as in Azose & Raftery 2019); ``stayers=True``
    holds stayers at the minimum and fits the moves by quasi-independence, where, as in the
    reference, a seed does not change the answer. ``rescale_tol``: stopping rule of the
    ``rescale`` fit (see the module notes). ``places``: names used in messages and notes.
    """
    s1, s2 = check_pair(stock_start, stock_end)
    n = s1.shape[0]
    if places is not None and len(places) != n:
        raise ValueError(f"places must name the {n} places of the stock matrices")
    b = np.zeros(n) if births is None else np.asarray(births, dtype=float)
    d = np.zeros(n) if deaths is None else np.asarray(deaths, dtype=float)
    for name, v in (("births", b), ("deaths", d)):
        if v.shape != (n,) or np.any(~np.isfinite(v)) or np.any(v < 0):
            raise ValueError(f"{name} must be {n} numbers >= 0, one per place")
    if birthplace_match not in BIRTHPLACE_MATCHES:
        raise ValueError(f"birthplace match must be one of {BIRTHPLACE_MATCHES}")
    if seed is not None:
        seed = np.asarray(seed, dtype=float)
        if seed.shape != (n, n) or np.any(seed < 0) or not np.all(np.isfinite(seed)):
            raise ValueError(f"seed must be an {n} x {n} matrix of numbers >= 0")
    notes: dict = {}
    if birthplace_match == "rescale":
        s1, s2, gap = native_born_global_match(s1, s2, b, d)
        notes["global_gap"] = gap
    births_used, excess = birth_table(b, s2, places)
    if excess:
        notes["excess_births"] = excess
    m2 = s2 - births_used
    # deaths: shared over the start residents of each place by birthplace
    residents = s1.sum(axis=0)
    share = _ratio(np.ones(n), residents)
    deaths_used = np.where(residents > 0, np.minimum(d, residents), 0.0)
    notes["deaths_unallocated"] = float((d - deaths_used).sum())
    m1 = s1 - s1 * (share * deaths_used)[None, :]
    notes["birthplace_gap"] = float(np.abs(m1.sum(axis=1) - m2.sum(axis=1)).sum())
    m1, m2, rescale = match_birthplace_totals(m1, m2, birthplace_match, tol=tol, max_iter=max_iter,
                                              rescale_tol=rescale_tol, on_failure=on_failure,
                                              places=places)
    scale = max(1.0, float(m1.max(initial=0.0)), float(m2.max(initial=0.0)))
    if stayers:
        stay = np.minimum(m1, m2)
        rows = m1 - stay
        cols = m2 - stay
        # a rescale fit stopped by its tolerance leaves the birthplace totals a hair apart: the
        # arrivals of each birthplace are scaled to its departures, as in the reference
        cols *= _ratio(rows.sum(axis=1), cols.sum(axis=1))[:, None]
    else:
        stay = np.zeros_like(m1)
        rows, cols = m1, m2
    if seed is not None:
        if stayers:
            # The reference fits the moves left after the stayers with a flat seed, so a seed
            # gives the same moves as none (Abel 2018's supplementary example, EXPECTED.md e1).
            notes["seed"] = ("not used: under the stayer assumption the moves follow the margins "
                             "(as in the reference); use stayers=False / --no-stayers to let "
                             "the seed shape them")
        else:
            home = np.diag(seed) <= 0
            if np.any(home):
                names = _names(places, n)
                raise CorridorsError(
                    "without the stayer assumption the seed's diagonal weighs the stayers, and it "
                    f"is zero for {', '.join(names[i] for i in np.flatnonzero(home)[:10])}: no one "
                    "could stay there. Give the diagonal a positive weight (e.g. 1 where a "
                    "distance matrix has 0), or keep the stayer assumption")
            notes["seed"] = "used: moves proportional to the seed within each birthplace"
    swept = (_one_sweep_flows(rows, cols, tol, scale)
             if stayers and not keep_by_birthplace and max_iter >= 1 else None)
    moves = None
    if swept is not None:
        flows, gap = swept
        fit = Fit(flows, 1, gap, True)
    else:
        if stayers:
            z = ((rows > 0)[:, :, None] & (cols > 0)[:, None, :]).astype(float)
        else:
            z = np.ones((n, n, n))
            if seed is not None:
                z *= seed[None, :, :]
        fit = ipf(z, rows, cols, tol=tol, max_iter=max_iter, on_failure=on_failure,
                  what="fitting moves by birthplace", scale=scale, copy=False)
        del z
        moves = fit.fitted
        flows = moves.sum(axis=0)
    np.fill_diagonal(flows, 0.0)
    by_birthplace = None
    if keep_by_birthplace and moves is not None:
        by_birthplace = moves
        if stayers:
            idx = np.arange(n)
            by_birthplace[:, idx, idx] += stay
    settings = {
        "method": "demographic-accounting",
        "stayers": stayers,
        "birthplace_match": birthplace_match,
        "births": births is not None,
        "deaths": deaths is not None,
        "birth_method": "native (births above the native-born at home: proportional)",
        "death_method": "proportion",
        "seed": seed is not None,
        "tol": tol,
        "max_iter": max_iter,
    }
    converged = fit.converged
    if birthplace_match == "rescale":
        settings["rescale_tol"] = rescale_tol
        notes["rescale_iterations"] = [f.iterations for f in rescale]
        notes["rescale_gap"] = max(f.gap for f in rescale)
        converged = converged and all(f.converged for f in rescale)
    return AccountingResult(flows, fit.iterations, fit.gap, converged, settings, notes,
                            by_birthplace)
