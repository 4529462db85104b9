"""Design-based estimates from microdata: totals, means, proportions, ratios, by domain.

Variance by Taylor linearisation with the "ultimate cluster" approximation (with-replacement
sampling of PSUs within strata, unless a finite-population correction is given):

    V = sum_h f_h * n_h / (n_h - 1) * sum_i (z_hi - mean_h z)^2

where z_hi is the PSU total of each person's influence value (total: w*y; mean or ratio y/x:
w*(y - R*x) / sum(w*x)), n_h the number of PSUs in stratum h and f_h = (N_h - n_h)/N_h when the
population size N_h is given (or 1 - fpc when fpc is a sampling fraction), else 1.

Domains (``by`` and ``where``) keep every row and zero the weight outside the domain, so a domain
estimate equals the full-sample estimate with zeroed weights, and its SE accounts for the PSUs where
the domain is absent. Missing values of y or x put a row outside the domain of that estimate
(available-case analysis, as ``na.rm = TRUE`` in R's survey package).

The heavy work is one SQL text per table of estimates: person rows are summed to PSU x domain
totals, then to strata, then to domains; the same text runs on DuckDB and Spark (``engines.py``).
With replicate weights, the SQL sums each replicate's weighted totals by domain instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

from corridors.errors import CorridorsError, InputError

from . import expression
from .engines import VIEW, Engine, engine_for
from .mapping import Mapping, Reliability, load_mapping
from .microdata import Microdata, open_microdata
from .variables import Source, check_codes, source

Z95 = 1.959963984540054  # standard normal 97.5 % quantile
MISSING = "(missing)"
RESULT_COLUMNS = ("estimate", "se", "cv", "ci_low", "ci_high", "n", "flag")


@dataclass(frozen=True)
class Measure:
    """One quantity to estimate in every domain.

    ``kind``: ``total`` (sum of w*y), ``mean`` (sum w*y / sum w; a proportion when y is 0/1) or
    ``ratio`` (sum w*y / sum w*x). ``y``/``x`` are row expressions (column names or safe SQL).
    ``universe`` restricts the measure to rows where it is true (e.g. ``working_age = 1``).
    """

    name: str
    kind: str
    y: str
    x: str | None = None
    universe: str | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ("total", "mean", "ratio"):
            raise CorridorsError(f"measure {self.name!r}: kind must be total, mean or ratio")
        if self.kind == "ratio" and not self.x:
            raise CorridorsError(f"measure {self.name!r}: a ratio needs a denominator x")


def total(y: str, name: str | None = None, universe: str | None = None) -> Measure:
    return Measure(name or f"total({y})", "total", y, None, universe)


def mean(y: str, name: str | None = None, universe: str | None = None) -> Measure:
    return Measure(name or f"mean({y})", "mean", y, None, universe)


def ratio(y: str, x: str, name: str | None = None, universe: str | None = None) -> Measure:
    return Measure(name or f"ratio({y}/{x})", "ratio", y, x, universe)


@dataclass(frozen=True)
class DesignInfo:
    strata: int
    psus: int
    rows: int
    fpc_kind: str  # 'none' | 'fraction' | 'size'


@dataclass
class Prepared:
    """Microdata loaded in an engine, with the mapping's variables available as columns."""

    data: Microdata
    mapping: Mapping
    engine: Engine
    source: Source
    kinds: dict[str, str]
    design_info: DesignInfo | None = None

    def render(self, text: str) -> str:
        names = list(self.source.derived) + [c for c in self.source.columns
                                             if c not in self.source.derived]
        return expression.render(text, names, self.engine.quote, self.engine.literal)


def _case_hint(name: str, types: dict[str, str]) -> str:
    similar = [c for c in types if c.lower().startswith(name.lower())]
    if not similar:
        return ""
    return (f". Column names are case-insensitive in SQL: a file with columns that differ only in "
            f"case gets them renamed ({', '.join(similar)}); rename the column in the file.")


def prepare(data: Microdata | str | Path, mapping: Mapping | str | Path,
            engine: Engine | str | None = None, *, check: bool = True) -> Prepared:
    """Load the file in the engine, build the variables and stop on unmapped survey codes."""
    mapping = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    if not isinstance(data, Microdata):
        data = open_microdata(data, null_values=mapping.null_values, delimiter=mapping.delimiter)
    engine = engine if engine is not None and not isinstance(engine, str) else engine_for(engine)
    types = engine.load(data)
    if mapping.keep:
        engine.keep(expression.render(mapping.keep, list(types), engine.quote, engine.literal))
    design = mapping.design
    wanted = [design.weight, design.strata, design.psu, design.fpc]
    if design.replicates:
        wanted += list(design.replicates.weights)
    missing = [c for c in wanted if c and c not in types]
    if missing:
        raise InputError.one(str(data.path), "the design columns named in the mapping",
                             value=missing[0], sheet="design",
                             hint=f"{mapping.where} names it; columns: "
                                  + ", ".join(sorted(types)[:80]) + _case_hint(missing[0], types))
    src = source(mapping, engine, types)
    if check:
        check_codes(mapping, engine, types, str(data.path))
    kinds = engine.kinds(f"SELECT * FROM ({src.sql}) _s LIMIT 0")
    return Prepared(data, mapping, engine, src, kinds)


# ---------------------------------------------------------------- design checks

def _design_info(prep: Prepared) -> DesignInfo:
    d, q = prep.mapping.design, prep.engine.quote
    file = str(prep.data.path)
    h = q(d.strata) if d.strata else "'1'"
    i = f"COUNT(DISTINCT {q(d.psu)})" if d.psu else "COUNT(*)"
    f = f"CAST({q(d.fpc)} AS DOUBLE)" if d.fpc else "1.0"
    weights = [d.weight] if d.weight else []
    if d.replicates:
        weights += list(d.replicates.weights)
    bad_w = " + ".join(f"SUM(CASE WHEN {q(w)} IS NULL OR {q(w)} < 0 THEN 1 ELSE 0 END)"
                       for w in weights) or "0"
    nulls = " + ".join(f"SUM(CASE WHEN {q(c)} IS NULL THEN 1 ELSE 0 END)"
                       for c in (d.strata, d.psu, d.fpc) if c) or "0"
    sql = (f"SELECT {h} AS h, {i} AS n_h, COUNT(*) AS rows, MIN({f}) AS fmin, MAX({f}) AS fmax, "
           f"{bad_w} AS bad_w, {nulls} AS nulls FROM {VIEW} GROUP BY {h}")
    frame = prep.engine.query(sql)
    if frame["bad_w"].sum() > 0:
        raise InputError.one(file, "a weight >= 0 on every row", sheet=f"column {d.weight}",
                             value=f"{int(frame['bad_w'].sum())} rows missing or negative",
                             hint="Drop those rows first or fix the weight column.")
    if frame["nulls"].sum() > 0:
        raise InputError.one(file, "a stratum, PSU and fpc on every row", sheet="design columns",
                             value=f"{int(frame['nulls'].sum())} empty cells")
    fpc_kind = "none"
    if d.fpc:
        varying = frame[frame["fmin"] != frame["fmax"]]
        if len(varying):
            raise InputError.one(file, "one fpc value per stratum", sheet=f"column {d.fpc}",
                                 value=f"stratum {varying['h'].iloc[0]}")
        fpc_kind = "fraction" if frame["fmax"].max() <= 1 else "size"
        if fpc_kind == "size" and (frame["fmin"] < frame["n_h"]).any():
            row = frame[frame["fmin"] < frame["n_h"]].iloc[0]
            raise InputError.one(file, "a population size N_h >= the sampled PSUs n_h",
                                 sheet=f"column {d.fpc}", value=f"stratum {row['h']}: N_h "
                                 f"{row['fmin']}, n_h {row['n_h']}")
    lonely = frame[frame["n_h"] < 2]
    if len(lonely) and d.lonely_psu == "fail" and not d.replicates:
        raise InputError.one(file, "at least 2 PSUs in every stratum", sheet=f"column {d.strata}",
                             value=f"stratum {lonely['h'].iloc[0]} ({len(lonely)} such strata)",
                             hint="Collapse strata, or set design.lonely_psu: certainty in the "
                                  "mapping to let single-PSU strata add no variance.")
    return DesignInfo(len(frame), int(frame["n_h"].sum()), int(frame["rows"].sum()), fpc_kind)


# ---------------------------------------------------------------- SQL

def _domain_sql(prep: Prepared, column: str) -> str:
    """The domain column as it is grouped on (its own type: cheaper than text on every row)."""
    _domain_label(prep, column, "x")
    return prep.engine.quote(column)


def _domain_label(prep: Prepared, column: str, value: str) -> str:
    """SQL turning a grouped domain value into its text label (after aggregation)."""
    if column not in prep.source.columns:
        raise CorridorsError(f"--by {column!r}: no such column or variable. Variables: "
                             + ", ".join(prep.source.derived) + "; raw columns: "
                             + ", ".join(c for c in prep.source.columns[:60]
                                         if c not in prep.source.derived))
    col = value
    if prep.kinds.get(column) == "numeric":
        text = (f"CASE WHEN {col} = FLOOR({col}) THEN CAST(CAST({col} AS BIGINT) AS STRING) "
                f"ELSE CAST({col} AS STRING) END")
    else:
        text = f"CAST({col} AS STRING)"
    return f"COALESCE({text}, '{MISSING}')"


def _measure_parts(prep: Prepared, m: Measure, where: str | None) -> tuple[str, str, str]:
    """(ok condition, y sql, x sql) for one measure."""
    y = f"CAST(({prep.render(m.y)}) AS DOUBLE)"
    x = f"CAST(({prep.render(m.x)}) AS DOUBLE)" if m.x else "1.0"
    ok = [f"{y} IS NOT NULL"]
    if m.x:
        ok.append(f"{x} IS NOT NULL")
    if m.universe:
        ok.append(f"COALESCE(({prep.render(m.universe)}), FALSE)")
    if where:
        ok.append(f"COALESCE(({prep.render(where)}), FALSE)")
    return " AND ".join(ok), y, x


def _counted(m: Measure, y: str, x: str) -> str:
    """Which rows count in the unweighted n: for a total, rows that contribute (y <> 0, e.g. the
    sample migrants in a count of migrants); for a mean or ratio, rows in its base (x <> 0)."""
    return f"{y} <> 0" if m.kind == "total" else f"{x} <> 0"


def taylor_sql(prep: Prepared, measures: Sequence[Measure], by: Sequence[str],
               where: str | None, fpc_kind: str) -> str:
    """The whole Taylor-linearisation estimator as one SQL query (DuckDB and Spark)."""
    d, q = prep.mapping.design, prep.engine.quote
    w = f"CAST({q(d.weight)} AS DOUBLE)"
    doms = [f"_d{j}" for j in range(len(by))]
    cols = [f"{q(d.strata)} AS _h" if d.strata else "'1' AS _h"]
    if d.psu:
        cols.append(f"{q(d.psu)} AS _i")
    cols.append(f"CAST({q(d.fpc)} AS DOUBLE) AS _fpc" if d.fpc else "1.0 AS _fpc")
    cols += [f"{_domain_sql(prep, b)} AS {name}" for b, name in zip(by, doms, strict=True)]
    for k, m in enumerate(measures):
        ok, y, x = _measure_parts(prep, m, where)
        cols.append(f"CASE WHEN {ok} THEN {w} * {y} ELSE 0.0 END AS _wy{k}")
        cols.append(f"CASE WHEN {ok} THEN {w} * {x} ELSE 0.0 END AS _wx{k}")
        cols.append(f"CASE WHEN {ok} AND {_counted(m, y, x)} THEN 1 ELSE 0 END AS _n{k}")
    K = range(len(measures))
    dsel = "".join(f"{c}, " for c in doms)
    if d.psu:
        sums = ", ".join(f"SUM(_wy{k}) AS _ty{k}, SUM(_wx{k}) AS _tx{k}, SUM(_n{k}) AS _n{k}"
                         for k in K)
        psu = (f"SELECT _h, _i, {dsel}MAX(_fpc) AS _fpc, {sums} FROM base "
               f"GROUP BY _h, _i{''.join(', ' + c for c in doms)}")
        design = "SELECT _h, COUNT(DISTINCT _i) AS _nh, MAX(_fpc) AS _fpc FROM psu GROUP BY _h"
    else:
        sums = ", ".join(f"_wy{k} AS _ty{k}, _wx{k} AS _tx{k}, _n{k}" for k in K)
        psu = f"SELECT _h, {dsel}_fpc, {sums} FROM base"
        design = "SELECT _h, COUNT(*) AS _nh, MAX(_fpc) AS _fpc FROM psu GROUP BY _h"
    dom_sums = ", ".join(f"SUM(_ty{k}) AS _Y{k}, SUM(_tx{k}) AS _X{k}, SUM(_n{k}) AS _N{k}"
                         for k in K)
    group_d = f" GROUP BY {', '.join(doms)}" if doms else ""
    dom = f"SELECT {dsel}{dom_sums} FROM psu{group_d}"
    join_d = " AND ".join(f"p.{c} IS NOT DISTINCT FROM g.{c}" for c in doms) or "1 = 1"
    zs = []
    for k, m in enumerate(measures):
        if m.kind == "total":
            zs.append(f"p._ty{k} AS _z{k}")
        else:
            zs.append(f"CASE WHEN g._X{k} = 0 THEN 0.0 ELSE (p._ty{k} - g._Y{k} / g._X{k} * "
                      f"p._tx{k}) / g._X{k} END AS _z{k}")
    z = (f"SELECT p._h{''.join(', p.' + c for c in doms)}, {', '.join(zs)} "
         f"FROM psu p JOIN dom g ON {join_d}")
    st = (f"SELECT _h, {dsel}COUNT(*) AS _m, {', '.join(f'SUM(_z{k}) AS _s{k}' for k in K)} "
          f"FROM z GROUP BY _h{''.join(', ' + c for c in doms)}")
    if fpc_kind == "fraction":
        f = "(1.0 - g._fpc)"
    elif fpc_kind == "size":
        f = "((g._fpc - g._nh) / g._fpc)"
    else:
        f = "1.0"
    join_s = " AND ".join(["z._h = s._h"] + [f"z.{c} IS NOT DISTINCT FROM s.{c}" for c in doms])
    zc = (f"SELECT z._h{''.join(', z.' + c for c in doms)}, g._nh, {f} AS _f, s._m, "
          + ", ".join(f"z._z{k} - s._s{k} / g._nh AS _e{k}, s._s{k} / g._nh AS _a{k}" for k in K)
          + f" FROM z JOIN st s ON {join_s} JOIN design g ON z._h = g._h")
    sv = (f"SELECT _h, {dsel}MAX(_nh) AS _nh, MAX(_f) AS _f, MAX(_m) AS _m, "
          + ", ".join(f"SUM(_e{k} * _e{k}) AS _q{k}, MAX(_a{k}) AS _a{k}" for k in K)
          + f" FROM zc GROUP BY _h{''.join(', ' + c for c in doms)}")
    var = (f"SELECT {dsel}"
           + ", ".join(f"SUM(CASE WHEN _nh > 1 THEN _f * _nh / (_nh - 1.0) * (_q{k} + "
                       f"(_nh - _m) * _a{k} * _a{k}) ELSE 0.0 END) AS _V{k}" for k in K)
           + f" FROM sv{group_d}")
    join_v = " AND ".join(f"g.{c} IS NOT DISTINCT FROM v.{c}" for c in doms) or "1 = 1"
    labels = "".join(f"{_domain_label(prep, b, 'g.' + c)} AS {c}, "
                     for b, c in zip(by, doms, strict=True))
    final = (f"SELECT {labels}"
             + ", ".join(f"g._Y{k}, g._X{k}, g._N{k}, v._V{k}" for k in K)
             + f" FROM dom g JOIN var v ON {join_v}")
    return (f"WITH base AS (SELECT {', '.join(cols)} FROM ({prep.source.sql}) _s), "
            f"psu AS ({psu}), design AS ({design}), dom AS ({dom}), z AS ({z}), st AS ({st}), "
            f"zc AS ({zc}), sv AS ({sv}), var AS ({var}) {final}")


def replicate_sql(prep: Prepared, measures: Sequence[Measure], by: Sequence[str],
                  where: str | None) -> str:
    """Full-sample and replicate weighted sums by domain (replicate-weight designs)."""
    d, q = prep.mapping.design, prep.engine.quote
    reps = d.replicates
    assert reps is not None
    weights = [d.weight or reps.weights[0]] + list(reps.weights)
    doms = [f"_d{j}" for j in range(len(by))]
    cols = [f"{_domain_sql(prep, b)} AS {name}" for b, name in zip(by, doms, strict=True)]
    sums = []
    for k, m in enumerate(measures):
        ok, y, x = _measure_parts(prep, m, where)
        cols.append(f"CASE WHEN {ok} THEN {y} ELSE 0.0 END AS _y{k}")
        cols.append(f"CASE WHEN {ok} THEN {x} ELSE 0.0 END AS _x{k}")
        cols.append(f"CASE WHEN {ok} AND {_counted(m, y, x)} THEN 1 ELSE 0 END AS _n{k}")
        sums.append(f"SUM(_n{k}) AS _N{k}")
        for r in range(len(weights)):
            sums.append(f"SUM(_r{r} * _y{k}) AS _Y{k}_{r}, SUM(_r{r} * _x{k}) AS _X{k}_{r}")
    cols += [f"CAST({q(wname)} AS DOUBLE) AS _r{r}" for r, wname in enumerate(weights)]
    group = f" GROUP BY {', '.join(doms)}" if doms else ""
    labels = "".join(f"{_domain_label(prep, b, 'g.' + c)} AS {c}, "
                     for b, c in zip(by, doms, strict=True))
    inner = (f"SELECT {''.join(c + ', ' for c in doms)}{', '.join(sums)} FROM "
             f"(SELECT {', '.join(cols)} FROM ({prep.source.sql}) _s) base{group}")
    names = ", ".join("g." + part.rsplit(" AS ", 1)[1] for item in sums for part in item.split(", "))
    return f"SELECT {labels}{names} FROM ({inner}) g"


# ---------------------------------------------------------------- results

def flag(estimate: float | None, se: float | None, n: int, rel: Reliability) -> str:
    """``ok`` | ``caution`` | ``suppressed`` by sample size and coefficient of variation."""
    if n < rel.min_n or estimate is None or se is None or not math.isfinite(estimate):
        return "suppressed"
    cv = abs(se / estimate) if estimate else math.inf
    if cv > rel.cv_suppress:
        return "suppressed"
    if cv > rel.cv_caution:
        return "caution"
    return "ok"


def _present(rows: list[dict], by: Sequence[str]) -> list[dict]:
    """Leave out domains with no weight in any measure's base (e.g. wholly outside --where)."""
    if not by:
        return rows
    keep = {tuple(r[b] for b in by) for r in rows if r["_base"] != 0}
    return [r for r in rows if tuple(r[b] for b in by) in keep]


def _finish(rows: list[dict], rel: Reliability) -> list[dict]:
    for row in rows:
        row.pop("_base", None)
        est, se = row["estimate"], row["se"]
        row["cv"] = abs(se / est) if est not in (None, 0.0) and se is not None else None
        if est is not None and se is not None:
            row["ci_low"], row["ci_high"] = est - Z95 * se, est + Z95 * se
        else:
            row["ci_low"] = row["ci_high"] = None
        row["flag"] = flag(est, se, row["n"], rel)
        if rel.suppress and row["flag"] == "suppressed":
            for key in ("estimate", "se", "cv", "ci_low", "ci_high"):
                row[key] = None
    return rows


def _taylor_rows(frame: pd.DataFrame, measures: Sequence[Measure], by: Sequence[str]) -> list:
    rows = []
    for record in frame.to_dict("records"):
        domain = {b: record[f"_d{j}"] for j, b in enumerate(by)}
        for k, m in enumerate(measures):
            n = int(record[f"_N{k}"] or 0)
            Y, X, V = (record[f"_Y{k}"], record[f"_X{k}"], record[f"_V{k}"])
            if m.kind == "total":
                est = float(Y)
            else:
                est = float(Y) / float(X) if X else None
            se = math.sqrt(max(float(V), 0.0)) if V is not None and est is not None else None
            rows.append({"measure": m.name, "kind": m.kind, **domain, "estimate": est, "se": se,
                         "n": n, "_base": float(X or 0.0)})
    return rows


def _replicate_rows(frame: pd.DataFrame, measures: Sequence[Measure], by: Sequence[str],
                    prep: Prepared) -> list:
    reps = prep.mapping.design.replicates
    assert reps is not None
    count = len(reps.weights)
    rscales = np.asarray(reps.rscales)
    rows = []
    for record in frame.to_dict("records"):
        domain = {b: record[f"_d{j}"] for j, b in enumerate(by)}
        for k, m in enumerate(measures):
            Y = np.array([record[f"_Y{k}_{r}"] for r in range(count + 1)], dtype=float)
            X = np.array([record[f"_X{k}_{r}"] for r in range(count + 1)], dtype=float)
            with np.errstate(divide="ignore", invalid="ignore"):
                theta = Y if m.kind == "total" else Y / X
            est = float(theta[0]) if np.isfinite(theta[0]) else None
            se = None
            if est is not None:
                centre = theta[0] if reps.centre == "full" else theta[1:].mean()
                se = math.sqrt(reps.scale * float(np.sum(rscales * (theta[1:] - centre) ** 2)))
            rows.append({"measure": m.name, "kind": m.kind, **domain, "estimate": est, "se": se,
                         "n": int(record[f"_N{k}"] or 0), "_base": float(X[0])})
    return rows


def estimate_prepared(prep: Prepared, measures: Sequence[Measure], by: Sequence[str] = (),
                      where: str | None = None, *, reliability: Reliability | None = None,
                      progress: Callable[[str], None] | None = None) -> pl.DataFrame:
    """Estimates for ``measures`` in every domain of ``by`` (cross-classified), one row each.

    Columns: measure, kind, the ``by`` columns, estimate, se, cv, ci_low, ci_high, n (unweighted
    sample persons behind the figure: for a total those with y <> 0, for a mean or ratio those
    in its base), flag (ok | caution | suppressed).
    """
    if not measures:
        raise CorridorsError("nothing to estimate: give --total, --mean, --ratio or --indicators")
    rel = reliability or prep.mapping.reliability
    by = list(by)
    if where:
        prep.render(where)
    say = progress or (lambda _text: None)
    if prep.design_info is None:
        prep.design_info = _design_info(prep)  # weights present and >= 0, strata and PSUs
    if prep.mapping.design.replicates:
        say(f"summing {len(prep.mapping.design.replicates.weights)} replicate weights")
        frame = prep.engine.query(replicate_sql(prep, measures, by, where))
        rows = _replicate_rows(frame, measures, by, prep)
    else:
        info = prep.design_info
        say(f"design: {info.rows:,} rows, {info.strata:,} strata, {info.psus:,} PSUs")
        frame = prep.engine.query(taylor_sql(prep, measures, by, where, info.fpc_kind))
        rows = _taylor_rows(frame, measures, by)
    rows = _present(rows, by)
    rows = _finish(rows, rel)
    schema = {"measure": pl.String, "kind": pl.String, **{b: pl.String for b in by},
              "estimate": pl.Float64, "se": pl.Float64, "cv": pl.Float64, "ci_low": pl.Float64,
              "ci_high": pl.Float64, "n": pl.Int64, "flag": pl.String}
    out = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
    return out.select(list(schema)).sort(["measure", *by])


def estimate(data: Microdata | str | Path, mapping: Mapping | str | Path,
             measures: Sequence[Measure], *, by: Sequence[str] = (), where: str | None = None,
             engine: Engine | str | None = None, reliability: Reliability | None = None,
             progress: Callable[[str], None] | None = None) -> pl.DataFrame:
    """Read ``data`` with ``mapping`` and estimate ``measures`` by ``by`` on the chosen engine.

    >>> estimate("lfs.parquet", "lfs.yaml", [mean("foreign_born")], by=["sex"])  # doctest: +SKIP
    """
    prep = prepare(data, mapping, engine)
    return estimate_prepared(prep, measures, by, where, reliability=reliability,
                             progress=progress)
