"""Flows from a user's own stock matrices (census or sub-national tables): one entry point that the
CLI (`corridors flows estimate --stock-start ...`) and the Python API (`Observatory.estimate_flows`)
both call, so they agree on every default and every message.

Inputs are CSV files in the layouts of :mod:`corridors.analytics.flows.matrices` or, from Python,
arrays with their place codes. The answer carries the flows, the method and its settings, and what
the estimation had to do to the data (births above the native-born at home, deaths that could not
be allocated, whether a seed was used), so no interface has to work it out again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import polars as pl

from corridors.analytics.flows.accounting import (
    DEFAULT_MAX_ITER,
    DEFAULT_RESCALE_TOL,
    DEFAULT_TOL,
    AccountingResult,
    BirthplaceMatch,
    demographic_accounting,
)
from corridors.analytics.flows.differencing import Decrease, difference
from corridors.analytics.flows.matrices import (
    StockMatrix,
    aligned,
    read_seed_csv,
    read_stock_csv,
    read_vital_csv,
)
from corridors.analytics.flows.rates import dennett, dennett_total, rogers_von_rabenau
from corridors.errors import CorridorsError

METHODS = ("demo", "diff-zero", "diff-return", "rates-dennett", "rates-rvr")

Matrix = Path | str | np.ndarray | Sequence[Sequence[float]]
Vector = Path | str | np.ndarray | Sequence[float]


@dataclass
class OwnFlows:
    """Estimated flows between the places of a user's matrices, and how they were obtained."""

    places: list[str]
    flows: np.ndarray  # origin x destination, zero diagonal
    method: str
    caption: str
    settings: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)
    accounting: AccountingResult | None = None

    @property
    def total(self) -> float:
        return float(self.flows.sum())

    @property
    def excess_births(self) -> list[dict]:
        """Places whose births exceed their native-born at home at the end, and what was done."""
        return list(self.notes.get("excess_births", []))

    def records(self) -> list[dict]:
        """One ``{origin, destination, flow}`` per pair of different places."""
        return [{"origin": o, "destination": d, "flow": float(self.flows[i, j])}
                for i, o in enumerate(self.places) for j, d in enumerate(self.places) if i != j]

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.records(), schema={"origin": pl.String, "destination": pl.String,
                                                    "flow": pl.Float64})

    def report(self) -> dict[str, Any]:
        """Everything in one dict (the JSON answer): flows, total, method, settings, notes."""
        out: dict[str, Any] = {"method": self.method, "places": self.places, "total": self.total,
                               "flows": self.records(), "excess_births": self.excess_births,
                               "settings": self.settings,
                               "notes": {k: v for k, v in self.notes.items() if k != "excess_births"}}
        if self.accounting is not None:
            out.update(converged=self.accounting.converged, iterations=self.accounting.iterations)
        return out


def _matrix(value: Matrix, places: Sequence[str] | None, what: str) -> StockMatrix:
    if isinstance(value, (str, Path)):
        return read_stock_csv(value, what=what)
    array = np.asarray(value, dtype=float)
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise CorridorsError(f"{what} matrix must be square, got shape {array.shape}")
    names = list(places) if places is not None else [chr(65 + i) if i < 26 else f"P{i + 1}"
                                                     for i in range(array.shape[0])]
    if len(names) != array.shape[0]:
        raise CorridorsError(f"places names {len(names)} places; the {what} matrix has "
                             f"{array.shape[0]}")
    return StockMatrix(names, array, f"<{what} array>")


def _vector(value: Vector | None, places: list[str], what: str) -> np.ndarray | None:
    if value is None:
        return None
    if isinstance(value, (str, Path)):
        return read_vital_csv(value, places, what)
    array = np.asarray(value, dtype=float)
    if array.shape != (len(places),):
        raise CorridorsError(f"{what} must give one number per place ({len(places)}), got "
                             f"{array.shape}")
    return array


def estimate_own_flows(
    stock_start: Matrix,
    stock_end: Matrix,
    births: Vector | None = None,
    deaths: Vector | None = None,
    *,
    seed: Matrix | None = None,
    places: Sequence[str] | None = None,
    method: str = "demo",
    birthplace_match: str | None = None,
    stayers: bool = True,
    total: float | None = None,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
    rescale_tol: float = DEFAULT_RESCALE_TOL,
) -> OwnFlows:
    """Flows between the places of two stock matrices (CSV paths, or arrays with ``places``).

    ``method``: demo (demographic accounting, default), diff-zero, diff-return, rates-dennett,
    rates-rvr. ``births``/``deaths`` (both or neither), ``seed``, ``birthplace_match`` (default
    ``rescale``), ``stayers`` and ``rescale_tol`` apply to demo only; ``total`` to rates-dennett.
    """
    if method not in METHODS:
        raise CorridorsError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    places_, s1, s2 = aligned(_matrix(stock_start, places, "stock"),
                              _matrix(stock_end, places, "stock"))
    b = _vector(births, places_, "births")
    d = _vector(deaths, places_, "deaths")
    if (b is None) != (d is None):
        raise CorridorsError("give both births and deaths (--births and --deaths), or neither "
                             "(closed system)")
    if method != "demo" and (b is not None or birthplace_match is not None or seed is not None
                             or not stayers):
        raise CorridorsError("--births, --deaths, --birthplace-match, --seed-matrix and "
                             "--no-stayers apply only to --method demo")
    if total is not None and method != "rates-dennett":
        raise CorridorsError("--total applies only to --method rates-dennett")
    if method == "demo":
        # demographic_accounting rejects a value outside BirthplaceMatch (ValueError)
        match = cast(BirthplaceMatch, birthplace_match or "rescale")
        seed_values = None
        if seed is not None:
            seed_values = (read_seed_csv(seed, places_) if isinstance(seed, (str, Path))
                           else _matrix(seed, places_, "seed").values)
        result = demographic_accounting(s1, s2, b, d, seed=seed_values, birthplace_match=match,
                                        stayers=stayers, tol=tol, max_iter=max_iter,
                                        rescale_tol=rescale_tol, places=places_)
        caption = (f"demographic accounting, birthplace match {match}"
                   + ("" if stayers else ", no stayer assumption")
                   + f"; IPF converged in {result.iterations} iteration(s)")
        if "seed" in result.notes:
            caption += f"; seed {result.notes['seed'].split(':')[0]}"
        return OwnFlows(places_, result.flows, method, caption, result.settings, result.notes,
                        result)
    if method in ("diff-zero", "diff-return"):
        decrease: Decrease = "zero" if method == "diff-zero" else "return"
        return OwnFlows(places_, difference(s1, s2, decrease), method,
                        f"stock differencing, decreases "
                        f"{'ignored' if decrease == 'zero' else 'read as returns'}",
                        {"method": method})
    if method == "rates-dennett":
        used = dennett_total(s1, s2) if total is None else total
        return OwnFlows(places_, dennett(s1, s2, total), method,
                        f"Dennett rates, total movers {used:,.2f}", {"method": method, "total": used})
    rvr = rogers_von_rabenau(s1, s2)
    return OwnFlows(places_, rvr.flows, method,
                    f"Rogers & von Rabenau, common growth {rvr.growth:.4%}; largest residual "
                    f"{rvr.residual:.3g}", {"method": method, "growth": rvr.growth})
