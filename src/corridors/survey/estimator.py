"""Design-based estimates from microdata: totals, means, proportions, ratios, by domain.

Variance by Taylor linearisation with the "ultimate cluster" approximation (with-replacement
sampling of PSUs within strata, unless a finite-population correction is given):

    V = sum_h f_h * n_h / (n_h - 1) * sum_i (z_hi - mean_h z)^2

where z_hi is the PSU total of each person's influence value (total: w*y; mean or ratio y/x:
w*(y - R*x) / sum(w*x)), n_h the number of PSUs in stratum h and f_h = (N_h - n_h)/N_h when the
population size N_h is given (or 1 - fpc when fpc is a sampling fraction), else 1.

With several stages (``design.stages``, an fpc on each) every later stage adds the same sum over
its units within each unit above, times the sampling fractions of the stages above (R's default
multi-stage estimator, ``svyrecvar``). Brewer's PPS approximation (``design.pps: brewer``) puts
1 - pi_i inside the sum unit by unit. Single-unit strata follow ``design.lonely_psu`` as R's
``survey.lonely.psu``; strata whose fpc says every unit was taken add nothing.

Domains (``by`` and ``where``) keep every row and zero the weight outside the domain, so a domain
estimate equals the full-sample estimate with zeroed weights, and its SE accounts for the PSUs where
the domain is absent. Missing values of y or x put a row outside the domain of that estimate
(available-case analysis, as ``na.rm = TRUE`` in R's survey package).

The heavy work is one SQL text per table of estimates: person rows are summed to PSU x domain
totals, then to strata, then to domains; the same text runs on DuckDB and Spark (``engines.py``).
With replicate weights, the SQL sums each replicate's weighted totals by domain instead.

The same query gives each estimate's design degrees of freedom (PSUs with a positive weight in
its domain minus their strata, R's ``degf``) and whether it is a proportion; ``intervals.py``
turns them into the 95 % interval chosen (``ci``). Quantiles: ``quantiles.py``. What to estimate
(``Measure``): ``measures.py``; the microdata loaded in an engine (``prepare``): ``prepared.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

from corridors.errors import CorridorsError, InputError

from . import intervals
from .engines import VIEW, Engine
from .mapping import Mapping, Reliability
from .measures import Measure, mean, quantile, ratio, total
from .microdata import Microdata
from .prepared import (
    MISSING,
    DesignInfo,
    Prepared,
    _domain_label,
    _domain_sql,
    _measure_parts,
    natural_order,
    prepare,
)
from .quantiles import quantile_rows

# the estimator's public names: what to estimate, the prepared microdata and the estimates
__all__ = ["MISSING", "RESULT_COLUMNS", "DesignInfo", "Measure", "Prepared", "domain_columns",
           "estimate", "estimate_prepared", "mean", "natural_order", "prepare", "quantile",
           "ratio", "taylor_sql", "total"]

RESULT_COLUMNS = ("estimate", "se", "cv", "ci_low", "ci_high", "df", "ci_method", "n", "flag")


def domain_columns(columns: Sequence[str]) -> list[str]:
    """The domain columns of a table of estimates: all but the measure, its kind, the results
    and the design note (one rule for every reader of the table)."""
    return [c for c in columns
            if c not in ("measure", "indicator", "kind", *RESULT_COLUMNS, LONELY_COLUMN)]


DESIGN_TABLE = "_corridors_design"  # per-stage strata and units, made once per prepared file
LONELY_COLUMN = "lonely_psu"  # present when single-unit strata were handled by design.lonely_psu


# ---------------------------------------------------------------- design checks

def _stage_columns(prep: Prepared) -> list[str]:
    """SQL (over the raw columns) for _h1, _c1, _p1, _h2, ...: each stage's stratum, unit and
    fpc. A stage without strata is one stratum; the last stage may have no unit column (rows)."""
    d, q = prep.mapping.design, prep.engine.quote
    cols = []
    for s, stage in enumerate(d.stages, start=1):
        cols.append(f"{q(stage.strata)} AS _h{s}" if stage.strata else f"1 AS _h{s}")
        if stage.psu:
            cols.append(f"{q(stage.psu)} AS _c{s}")
        cols.append(f"CAST({q(stage.fpc)} AS DOUBLE) AS _p{s}" if stage.fpc
                    else f"CAST(NULL AS DOUBLE) AS _p{s}")
    return cols


def _path(design, s: int) -> list[str]:
    """Key columns of a stage-s unit: stratum and unit of every stage down to s (nested)."""
    keys = []
    for t in range(1, s + 1):
        if t == 1 or design.stages[t - 1].strata:  # (one stratum: no key to group on)
            keys.append(f"_h{t}")
        if design.stages[t - 1].psu:
            keys.append(f"_c{t}")
    return keys


def _parent(design, s: int) -> list[str]:
    """Key columns of a stage-s stratum: the unit above it and its own stratum."""
    own = [f"_h{s}"] if s == 1 or design.stages[s - 1].strata else []
    return _path(design, s - 1) + own


def _stratum_label(row: dict, design, s: int) -> str:
    if s == 1:
        return str(row["_h1"])
    own = str(row[f"_h{s}"]) if design.stages[s - 1].strata else ""
    above = design.stages[s - 2]
    unit = f"{above.psu} {row[f'_c{s - 1}']}"
    return f"{own} in {unit}" if design.stages[s - 1].strata else unit


def _design_info(prep: Prepared) -> DesignInfo:
    """Check the design columns (weights >= 0, no empty cells, one fpc per stratum or per unit
    under PPS, population >= sample, single-unit strata) and describe the design."""
    d, q = prep.mapping.design, prep.engine.quote
    file = str(prep.data.path)
    weights = [d.weight] if d.weight else []
    if d.replicates:
        weights += list(d.replicates.weights)
    bad_w = " + ".join(f"SUM(CASE WHEN {q(w)} IS NULL OR {q(w)} < 0 THEN 1 ELSE 0 END)"
                       for w in weights) or "0"
    nulls = " + ".join(f"SUM(CASE WHEN {q(c)} IS NULL THEN 1 ELSE 0 END)"
                       for c in d.columns if c not in weights) or "0"
    checks = prep.engine.query(f"SELECT COUNT(*) AS rows, {bad_w} AS bad_w, {nulls} AS nulls "
                               f"FROM {VIEW}").iloc[0]
    if checks["bad_w"] > 0:
        raise InputError.one(file, "a weight >= 0 on every row", place=f"column {d.weight}",
                             value=f"{int(checks['bad_w'])} rows missing or negative",
                             hint="Drop those rows first or fix the weight column.")
    if checks["nulls"] > 0:
        raise InputError.one(file, "a stratum, PSU and fpc on every row", place="design columns",
                             value=f"{int(checks['nulls'])} empty cells")
    view = f"(SELECT {', '.join(_stage_columns(prep))} FROM {VIEW}) _v"
    kinds, lonely, first = [], [], None
    for s, stage in enumerate(d.stages, start=1):
        parent, path = _parent(d, s), _path(d, s)
        if stage.psu:
            units = (f"SELECT {', '.join(path)}, MIN(_p{s}) AS _pmin, MAX(_p{s}) AS _pmax "
                     f"FROM {view} GROUP BY {', '.join(path)}")
            if s < len(d.stages):  # the units above a later stage, with their fpc
                prep.engine.materialize(f"{DESIGN_TABLE}_u{s}", units)
                units = f"SELECT * FROM {DESIGN_TABLE}_u{s}"
        else:
            units = f"SELECT {', '.join(parent)}, _p{s} AS _pmin, _p{s} AS _pmax FROM {view}"
        # the strata of stage s: sampled units n_h, fpc range and sum (over the whole file)
        prep.engine.materialize(
            f"{DESIGN_TABLE}_d{s}",
            f"SELECT {', '.join(parent)}, COUNT(*) AS n_h, MIN(_pmin) AS fmin, MAX(_pmax) AS fmax, "
            f"SUM(_pmin) AS fsum, SUM(CASE WHEN _pmin <> _pmax THEN 1 ELSE 0 END) AS varying "
            f"FROM ({units}) _u GROUP BY {', '.join(parent)}")
        frame = prep.engine.query(f"SELECT * FROM {DESIGN_TABLE}_d{s}")
        if first is None:
            first = frame
        kind = _fpc_kind(prep, frame, s)
        kinds.append(kind)
        if d.replicates or (s > 1 and kind == "none"):
            continue
        f = _sampled_out(frame, kind)
        single = frame[(frame["n_h"] < 2) & ~f]
        where = f"stage {s} " if len(d.stages) > 1 else ""
        if len(single) and d.lonely_psu == "fail":
            label = min((_stratum_label(row, d, s) for row in single.to_dict("records")),
                        key=natural_order)  # the same stratum named whatever order the engine used
            raise InputError.one(
                file, f"at least 2 PSUs in every {where}stratum",
                place=f"column {stage.strata or d.strata or stage.psu}",
                value=f"{where}stratum {label} ({len(single)} such strata)",
                hint="Collapse strata, or set design.lonely_psu in the mapping: certainty or "
                     "remove (they add no variance), adjust (centred at zero) or average (the "
                     "mean of the other strata); see docs/survey.md.")
        if len(single) and d.lonely_psu == "average":
            calls = _path(d, s - 1)
            ok = frame.assign(ok=(frame["n_h"] >= 2) | f)
            counts = ok.groupby(calls)["ok"].sum() if calls else pd.Series([ok["ok"].sum()])
            if (counts == 0).any():
                raise InputError.one(file, "a stratum with 2 or more units to average over",
                                     place="key 'design.lonely_psu'", value="average",
                                     hint=f"Every {where}stratum in a unit has a single unit; "
                                          "use certainty, remove or adjust.")
        lonely += [(s, _stratum_label(r, d, s)) for r in single.to_dict("records")]
    assert first is not None
    harmonic = 1.0 / float((1.0 / first["n_h"]).mean())
    return DesignInfo(len(first), int(first["n_h"].sum()), int(checks["rows"]), tuple(kinds),
                      tuple(lonely), d.lonely_psu, harmonic)


def _fpc_kind(prep: Prepared, frame: pd.DataFrame, s: int) -> str:
    """'none', 'fraction' (all fpc <= 1) or 'size' (populations of units), checked."""
    d = prep.mapping.design
    stage, file = d.stages[s - 1], str(prep.data.path)
    if not stage.fpc:
        return "none"
    at = f" at stage {s}" if len(d.stages) > 1 else ""
    if d.pps:
        if frame["varying"].sum() > 0:
            raise InputError.one(file, f"one inclusion probability per unit{at}",
                                 place=f"column {stage.fpc}",
                                 value=f"{int(frame['varying'].sum())} units with several")
    else:
        varying = frame[frame["fmin"] != frame["fmax"]]
        if len(varying):
            raise InputError.one(file, f"one fpc value per stratum{at}", place=f"column {stage.fpc}",
                                 value=f"stratum {_stratum_label(varying.iloc[0].to_dict(), d, s)}",
                                 hint="For PSUs drawn with probability proportional to size, set "
                                      "design.pps: brewer and give each unit's probability.")
    if frame["fmin"].min() <= 0:
        raise InputError.one(file, f"an fpc > 0{at}", place=f"column {stage.fpc}",
                             value=float(frame["fmin"].min()))
    kind = "fraction" if frame["fmax"].max() <= 1 else "size"
    if d.pps and kind == "size":
        raise InputError.one(file, f"inclusion probabilities <= 1{at} (design.pps: brewer)",
                             place=f"column {stage.fpc}", value=float(frame["fmax"].max()))
    if kind == "size" and (frame["fmin"] < frame["n_h"]).any():
        row = frame[frame["fmin"] < frame["n_h"]].iloc[0]
        raise InputError.one(file, "a population size N_h >= the sampled PSUs n_h",
                             place=f"column {stage.fpc}",
                             value=f"stratum {_stratum_label(row.to_dict(), d, s)}: N_h "
                                   f"{row['fmin']}, n_h {row['n_h']}")
    return kind


def _sampled_out(frame: pd.DataFrame, kind: str) -> pd.Series:
    """Strata taken whole by their fpc (every unit sampled: no variance, never 'lonely')."""
    if kind == "size":
        return (frame["fmin"] - frame["n_h"]) / frame["fmin"] < 1e-7
    if kind == "fraction":
        return 1.0 - frame["fmin"] < 1e-7
    return pd.Series(False, index=frame.index)


# ---------------------------------------------------------------- SQL

def _proportion_test(y: str, x: str) -> str:
    """True on a row that keeps the estimate a proportion: y and x are 0/1 and y <= x (for a mean
    x is 1). A measure is a proportion when this holds on every row of its base."""
    return f"({y} IN (0.0, 1.0) AND {x} IN (0.0, 1.0) AND {y} <= {x})"


def _interval_columns(ok: str, y: str, x: str, w: str, k: int) -> list[str]:
    """Row columns for the intervals: ``_dfin{k}`` (the row is in measure k's base with a positive
    weight: its PSU counts in the design df) and ``_nb{k}`` (the row breaks the 0/1 test)."""
    return [f"CASE WHEN {ok} AND {x} <> 0 AND {w} > 0 THEN 1 ELSE 0 END AS _dfin{k}",
            f"CASE WHEN {ok} AND NOT {_proportion_test(y, x)} THEN 1 ELSE 0 END AS _nb{k}"]


def _df_sums(k: int) -> str:
    """By domain, from one row per first-stage PSU and domain (or per person when persons are
    the PSUs): the design df, PSUs with a positive weight in the base minus the first-stage
    strata they lie in (R's degf of the subset)."""
    return f"SUM(_dfin{k}) - COUNT(DISTINCT CASE WHEN _dfin{k} = 1 THEN _h1 END) AS _DF{k}"


def _counted(m: Measure, y: str, x: str) -> str:
    """Which rows count in the unweighted n: for a total, rows that contribute (y <> 0, e.g. the
    sample migrants in a count of migrants); for a mean or ratio, rows in its base (x <> 0).
    Rows of weight 0 (e.g. out of scope, or dropped by a calibration) never count."""
    return f"{y} <> 0" if m.kind == "total" else f"{x} <> 0"


def taylor_sql(prep: Prepared, measures: Sequence[Measure], by: Sequence[str],
               where: str | None, info: DesignInfo) -> str:
    """The whole Taylor-linearisation estimator as one SQL query (DuckDB and Spark).

    Person rows are summed to the units of the last stage by domain; each stage s then adds, for
    every stratum of every unit of stage s-1, ``pi * f * n/(n-1) * sum_i g_i (z_i - zbar)^2``
    over its n units (units where the domain is absent have z_i = 0), where pi is the product of
    the sampling fractions of the units above (1 at the first stage), f = (N - n)/N for a
    population size N, and g_i = 1 - fpc_i for a sampling fraction or probability (Brewer)."""
    d, q = prep.mapping.design, prep.engine.quote
    if d.weight is None:  # mapping.parse asks for one unless replicate weights carry the design
        raise CorridorsError("design.weight: Taylor linearisation needs the weight column")
    S = info.stages
    kinds = info.fpc_kinds
    w = f"CAST({q(d.weight)} AS DOUBLE)"
    doms = [f"_d{j}" for j in range(len(by))]
    K = range(len(measures))
    average = d.lonely_psu == "average"
    present = [f"_o{k}" for k in K] if average else []
    cols = _stage_columns(prep)
    cols += [f"{_domain_sql(prep, b)} AS {name}" for b, name in zip(by, doms, strict=True)]
    for k, m in enumerate(measures):
        ok, y, x = _measure_parts(prep, m, where)
        cols.append(f"CASE WHEN {ok} THEN {w} * {y} ELSE 0.0 END AS _wy{k}")
        cols.append(f"CASE WHEN {ok} THEN {w} * {x} ELSE 0.0 END AS _wx{k}")
        cols.append(f"CASE WHEN {ok} AND {_counted(m, y, x)} AND {w} > 0 THEN 1 ELSE 0 END AS _n{k}")
        cols += _interval_columns(ok, y, x, w, k)
        if average:  # rows in the estimate's domain: the strata R's subset designs keep
            cols.append(f"CASE WHEN {ok} THEN 1 ELSE 0 END AS _o{k}")
    ctes = [f"base AS (SELECT {', '.join(cols)} FROM ({prep.source.sql}) _s)"]

    def keys(names: list[str], alias: str = "") -> str:
        return "".join(f"{alias}{c}, " for c in names)

    def on(names: list[str], a: str, b: str, null_safe: bool = False) -> str:
        op = "IS NOT DISTINCT FROM" if null_safe else "="
        return " AND ".join(f"{a}.{c} {op} {b}.{c}" for c in names) or "1 = 1"

    # person rows -> units of the last stage computed (or rows when it has no unit column)
    deep = _path(d, S) if d.stages[S - 1].psu else _parent(d, S)
    # each unit's fpc, where the variance needs it: as 1 - fpc (sampling fractions, Brewer)
    fpcs = [f"_p{s}" for s in range(1, S + 1) if kinds[s - 1] == "fraction"]
    if d.stages[S - 1].psu:
        sums = ", ".join([f"SUM(_wy{k}) AS _ty{k}, SUM(_wx{k}) AS _tx{k}, SUM(_n{k}) AS _n{k}, "
                          f"MAX(_dfin{k}) AS _dfin{k}, SUM(_nb{k}) AS _nb{k}"
                          for k in K] + [f"SUM({o}) AS {o}" for o in present])
        ctes.append(f"psu AS (SELECT {keys(deep + doms)}{keys([f'MAX({p}) AS {p}' for p in fpcs])}"
                    f"{sums} FROM base GROUP BY {', '.join(deep + doms)})")
    else:
        sums = ", ".join([f"_wy{k} AS _ty{k}, _wx{k} AS _tx{k}, _n{k}, _dfin{k}, _nb{k}"
                          for k in K] + present)
        ctes.append(f"psu AS (SELECT {keys(deep + doms + fpcs)}{sums} FROM base)")
    top = "psu"
    if S > 1:
        # the many rows of psu (last-stage units x domain) are read once: summed to the strata
        # of the last stage, with the moments of z there; every coarser table comes from that
        ctes.append(_last_stage_sums(S, _parent(d, S), doms, present, measures, fpcs,
                                     f"(1.0 - _p{S})" if kinds[S - 1] == "fraction"
                                     else "1.0", keys))
        top = f"stm{S}"
    dom_sums = ", ".join(f"SUM(_ty{k}) AS _Y{k}, SUM(_tx{k}) AS _X{k}, SUM(_n{k}) AS _N{k}, "
                         f"SUM(_nb{k}) AS _NB{k}" for k in K)
    group_d = f" GROUP BY {', '.join(doms)}" if doms else ""
    ctes.append(f"dom AS (SELECT {keys(doms)}{dom_sums} FROM {top}{group_d})")

    def z(k: int, m: Measure, ty: str, tx: str) -> str:
        """A unit's influence value from its totals (linear in them: it sums over units)."""
        if m.kind == "total":
            return ty
        return f"CASE WHEN g._X{k} = 0 THEN 0.0 ELSE ({ty} - g._Y{k} / g._X{k} * {tx}) / g._X{k} END"

    def fpc(s: int, alias: str) -> str:
        return f"{alias}._p{s}" if f"_p{s}" in fpcs else "CAST(NULL AS DOUBLE)"

    # Units of the stages above the last: their totals, then z (never z of the many last-stage
    # units: sums of those would be the same numbers, slower)
    ctes += [f"u{s} AS (SELECT {keys(_path(d, s) + doms)}MAX({fpc(s, top)}) AS _p, "
             f"{keys([f'SUM({o}) AS {o}' for o in present])}"
             + ", ".join(f"SUM(_ty{k}) AS _ty{k}, SUM(_tx{k}) AS _tx{k}, MAX(_dfin{k}) AS _dfin{k}"
                         for k in K) + f" FROM {top} GROUP BY {', '.join(_path(d, s) + doms)})"
             for s in range(1, S)]
    first = "u1" if S > 1 else "psu"  # one row per first-stage PSU and domain
    ctes.append(f"dfs AS (SELECT {keys(doms)}{', '.join(_df_sums(k) for k in K)} FROM {first}"
                f"{group_d})")
    pieces = []
    for s in range(1, S + 1):
        parent, above = _parent(d, s), _path(d, s - 1)
        kind = kinds[s - 1]
        has_unit = d.stages[s - 1].psu is not None
        # the design: units of stage s in each stratum, over all rows (from the design check)
        table = f"{DESIGN_TABLE}_d{s}"
        if kind == "size":
            f, G, zero = "(fmax - n_h) / fmax", "n_h", "(fmax - n_h) / fmax"
        elif kind == "fraction":
            f, G, zero = "1.0", "n_h - fsum", "1.0 - fmin"
        else:
            f, G, zero = "1.0", "n_h", "1.0"
        mult = "1.0"
        join_m = ""
        if s > 1:
            mult, join_m = "m._mult", f" JOIN m{s - 1} m ON {on(above, 'd', 'm')}"
        ctes.append(f"d{s} AS (SELECT {keys(parent, 'd.')}d.n_h AS _nh, {f} AS _f, {G} AS _G, "
                    f"CASE WHEN {zero} < 1e-7 THEN 1 ELSE 0 END AS _zero, {mult} AS _mult "
                    f"FROM {table} d{join_m})")
        if s < S:  # sampling fraction of each unit, carried to the stages below it
            pi = "u._pmin" if kind == "fraction" else "d._nh / u._pmin"
            ctes.append(f"m{s} AS (SELECT {keys(_path(d, s), 'u.')}d._mult * {pi} AS _mult "
                        f"FROM {DESIGN_TABLE}_u{s} u JOIN d{s} d ON {on(parent, 'u', 'd')})")
        # the domain's unit totals of z at stage s, their stratum means, and the spread
        level = _path(d, s) if has_unit else parent
        units = "psu" if s == S else f"u{s}"
        p = fpc(s, "u") if s == S else "u._p"
        if s < S or S == 1:
            ctes.append(f"zs{s} AS (SELECT {keys(level + doms + present, 'u.')}{p} AS _p, "
                        + ", ".join(f"{z(k, m, f'u._ty{k}', f'u._tx{k}')} AS _z{k}"
                                    for k, m in enumerate(measures))
                        + f" FROM {units} u JOIN dom g ON {on(doms, 'u', 'g', True)})")
        g = "(1.0 - _p)" if kind == "fraction" else "1.0"
        if s == 1:  # two passes: deviations from the stratum mean (few units, exact)
            ctes.append(f"st{s} AS (SELECT {keys(parent + doms)}"
                        f"{keys([f'SUM({o}) AS {o}' for o in present])}"
                        f"{', '.join(f'SUM(_z{k}) AS _s{k}' for k in K)} FROM zs{s} "
                        f"GROUP BY {', '.join(parent + doms)})")
            ctes.append(f"zc{s} AS (SELECT {keys(parent + doms, 'z.')}{g.replace('_p', 'z._p')} "
                        "AS _g, " + ", ".join(f"z._z{k} - t._s{k} / d._nh AS _e{k}" for k in K)
                        + f" FROM zs{s} z JOIN st{s} t ON {on(parent, 'z', 't')} AND "
                        f"{on(doms, 'z', 't', True)} JOIN d{s} d ON {on(parent, 'z', 'd')})")
            ctes.append(f"sv{s} AS (SELECT {keys(parent + doms)}SUM(_g) AS _W, "
                        + ", ".join(f"SUM(_g * _e{k} * _e{k}) AS _q{k}" for k in K)
                        + f" FROM zc{s} GROUP BY {', '.join(parent + doms)})")
            spread = "v._q{k} + (d._G - v._W) * {a} * {a}"
        else:
            # below the first stage (households in areas: many units) one pass: the moments
            # sum g z^2, sum g z, sum g, and sum g (z - a)^2 = q - 2 a r + a^2 W
            if s < S:
                ctes.append(f"st{s} AS (SELECT {keys(parent + doms)}"
                            f"{keys([f'SUM({o}) AS {o}' for o in present])}SUM({g}) AS _W, "
                            + ", ".join(f"SUM(_z{k}) AS _s{k}, SUM({g} * _z{k} * _z{k}) AS _q{k}, "
                                        f"SUM({g} * _z{k}) AS _r{k}" for k in K)
                            + f" FROM zs{s} GROUP BY {', '.join(parent + doms)})")
            else:  # the last stage: the same moments from the sums of stm{s}
                ctes.append(_last_stage_moments(s, parent, doms, present, measures, keys, on))
            ctes.append(f"sv{s} AS (SELECT * FROM st{s})")
            spread = "v._q{k} - 2.0 * {a} * v._r{k} + d._G * {a} * {a}"
        lonely = {"adjust": "d._mult * d._f * v._W * t._s{k} * t._s{k}"}.get(d.lonely_psu, "0.0")
        parts = []
        for k in K:
            a = f"t._s{k} / d._nh"
            parts.append(f"CASE WHEN d._zero = 1 THEN 0.0 WHEN d._nh > 1 THEN d._mult * d._f * "
                         f"d._nh / (d._nh - 1.0) * ({spread.format(k=k, a=a)}) "
                         f"ELSE {lonely.format(k=k)} END AS _V{k}")
            if average:  # strata of this domain that can be averaged over
                parts.append(f"CASE WHEN t._o{k} > 0 THEN 1 ELSE 0 END AS _np{k}, CASE WHEN "
                             f"t._o{k} > 0 AND (d._nh > 1 OR d._zero = 1) THEN 1 ELSE 0 END AS _nk{k}")
        piece = (f"SELECT {keys((above if average else []) + doms, 'v.')}{', '.join(parts)} "
                 f"FROM sv{s} v "
                 f"JOIN st{s} t ON {on(parent, 'v', 't')} AND {on(doms, 'v', 't', True)} "
                 f"JOIN d{s} d ON {on(parent, 'v', 'd')}")
        if average:
            # R's average: each unit's strata sum times (strata present) / (strata not lonely),
            # counted among the strata where the domain has rows; none to average over -> NULL
            group = f" GROUP BY {', '.join(above + doms)}" if above + doms else ""
            piece = (f"SELECT {keys(doms)}" + ", ".join(
                f"CASE WHEN SUM(_nk{k}) = 0 THEN 0.0 ELSE SUM(_V{k}) * SUM(_np{k}) / SUM(_nk{k}) "
                f"END AS _V{k}, CASE WHEN SUM(_np{k}) > 0 AND SUM(_nk{k}) = 0 THEN 1 ELSE 0 END "
                f"AS _B{k}" for k in K) + f" FROM ({piece}) _a{group}")
        pieces.append(piece)
    sums_v = [f"SUM(_V{k}) AS _V{k}" for k in K]
    if average:  # a domain with no stratum to average over has no variance estimate (R: NaN)
        sums_v = [f"CASE WHEN MAX(_B{k}) = 1 THEN NULL ELSE SUM(_V{k}) END AS _V{k}" for k in K]
    ctes.append(f"var AS (SELECT {keys(doms)}{', '.join(sums_v)} "
                f"FROM ({' UNION ALL '.join(pieces)}) _v{group_d})")
    labels = "".join(f"{_domain_label(prep, b, 'g.' + c)} AS {c}, "
                     for b, c in zip(by, doms, strict=True))
    final = (f"SELECT {labels}"
             + ", ".join(f"g._Y{k}, g._X{k}, g._N{k}, v._V{k}, f._DF{k}, g._NB{k}" for k in K)
             + f" FROM dom g JOIN var v ON {on(doms, 'g', 'v', True)} "
             f"JOIN dfs f ON {on(doms, 'g', 'f', True)}")
    return "WITH " + ", ".join(ctes) + " " + final


def _last_stage_sums(s: int, parent: list[str], doms: list[str], present: list[str],
                     measures: Sequence[Measure], fpcs: list[str], g: str, keys: Callable) -> str:
    """CTE ``stm{s}``: the units of the last stage (``psu``) summed by its strata and domain:
    their totals (for the domains and the units above) and, with g = 1 - fpc for sampling
    fractions else 1, sum g, sum g ty, sum g tx, sum g ty^2, sum g ty tx and sum g tx^2, from which
    ``_last_stage_moments`` has the moments of z without z unit by unit."""
    upper = [p for p in fpcs if p != f"_p{s}"]
    group = ", ".join(parent + doms)
    return (f"stm{s} AS (SELECT {keys(parent + doms)}{keys([f'MAX({p}) AS {p}' for p in upper])}"
            f"{keys([f'SUM({o}) AS {o}' for o in present])}SUM({g}) AS _W, " + ", ".join(
                f"SUM(_ty{k}) AS _ty{k}, SUM(_tx{k}) AS _tx{k}, SUM(_n{k}) AS _n{k}, "
                f"SUM(_nb{k}) AS _nb{k}, MAX(_dfin{k}) AS _dfin{k}, SUM({g} * _ty{k}) AS _ry{k}, "
                f"SUM({g} * _tx{k}) AS _rx{k}, SUM({g} * _ty{k} * _ty{k}) AS _qyy{k}, "
                f"SUM({g} * _ty{k} * _tx{k}) AS _qyx{k}, SUM({g} * _tx{k} * _tx{k}) AS _qxx{k}"
                for k in range(len(measures))) + f" FROM psu GROUP BY {group})")


def _last_stage_moments(s: int, parent: list[str], doms: list[str], present: list[str],
                        measures: Sequence[Measure], keys: Callable, on: Callable) -> str:
    """CTE ``st{s}``: by stratum of the last stage and domain, sum g and the sum, g-weighted sum
    and g-weighted sum of squares of z over its units, from ``stm{s}``: with z = (ty - R tx) / X
    (R = Y / X of the domain; z = ty for a total),
    sum g z^2 = (sum g ty^2 - 2 R sum g ty tx + R^2 sum g tx^2) / X^2."""
    cols = []
    for k, m in enumerate(measures):
        if m.kind == "total":
            cols.append(f"r._ty{k} AS _s{k}, r._qyy{k} AS _q{k}, r._ry{k} AS _r{k}")
            continue
        R, X = f"g._Y{k} / g._X{k}", f"g._X{k}"
        zero = f"CASE WHEN {X} = 0 THEN 0.0 ELSE "
        cols.append(f"{zero}(r._ty{k} - {R} * r._tx{k}) / {X} END AS _s{k}, "
                    f"{zero}(r._qyy{k} - 2.0 * {R} * r._qyx{k} + {R} * {R} * r._qxx{k}) / "
                    f"({X} * {X}) END AS _q{k}, "
                    f"{zero}(r._ry{k} - {R} * r._rx{k}) / {X} END AS _r{k}")
    return (f"st{s} AS (SELECT {keys(parent + doms + present, 'r.')}r._W, {', '.join(cols)} "
            f"FROM stm{s} r JOIN dom g ON {on(doms, 'r', 'g', True)})")


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
        cols.append(f"CASE WHEN {ok} AND {_counted(m, y, x)} AND {q(weights[0])} > 0 THEN 1 ELSE 0 END "
                    f"AS _n{k}")
        cols.append(_interval_columns(ok, y, x, "1.0", k)[1])
        sums.append(f"SUM(_n{k}) AS _N{k}, SUM(_nb{k}) AS _NB{k}")
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


def replicate_df_sql(prep: Prepared, measures: Sequence[Measure], by: Sequence[str],
                     where: str | None) -> tuple[str, list[int]]:
    """By domain, the Gram matrix of the replicate weights over each measure's base, whose rank
    minus 1 is the design df (R's ``degf`` of a replicate design, recomputed on a subset: the
    domain, with y and x present and x <> 0). Measures with the same base share one matrix;
    returns the SQL and each measure's base index."""
    q = prep.engine.quote
    reps = prep.mapping.design.replicates
    assert reps is not None
    doms = [f"_d{j}" for j in range(len(by))]
    cols = [f"{_domain_sql(prep, b)} AS {name}" for b, name in zip(by, doms, strict=True)]
    bases: dict[str, int] = {}
    index = []
    for m in measures:
        ok, _y, x = _measure_parts(prep, m, where)
        index.append(bases.setdefault(f"{ok} AND {x} <> 0", len(bases)))
    cols += [f"CASE WHEN {cond} THEN 1 ELSE 0 END AS _in{b}" for cond, b in bases.items()]
    count = len(reps.weights)
    cols += [f"CAST({q(r)} AS DOUBLE) AS _r{i}" for i, r in enumerate(reps.weights)]
    sums = [f"SUM(CASE WHEN _in{b} = 1 THEN _r{i} * _r{j} ELSE 0.0 END) AS _g{b}_{i}_{j}"
            for b in range(len(bases)) for i in range(count) for j in range(i, count)]
    group = f" GROUP BY {', '.join(doms)}" if doms else ""
    inner = (f"SELECT {''.join(c + ', ' for c in doms)}{', '.join(sums)} FROM "
             f"(SELECT {', '.join(cols)} FROM ({prep.source.sql}) _s) base{group}")
    labels = "".join(f"{_domain_label(prep, b, 'g.' + c)} AS {c}, "
                     for b, c in zip(by, doms, strict=True))
    return f"SELECT {labels}g.* FROM ({inner}) g", index


def _attach_df(prep: Prepared, rows: list[dict], frame: pd.DataFrame,
               measures: Sequence[Measure], by: Sequence[str], where: str | None) -> list[dict]:
    """Give each row its design df and its count of rows that are not 0/1, from the estimator's
    frame (``_DF{k}``, ``_NB{k}``) or, with replicate weights, ``replicate_df_sql``."""
    reps = prep.mapping.design.replicates
    key = lambda record: tuple(record[f"_d{j}"] for j in range(len(by)))  # noqa: E731
    found = {key(r): {m.name: [int(r.get(f"_DF{k}") or 0), int(r[f"_NB{k}"] or 0)]
                      for k, m in enumerate(measures)} for r in frame.to_dict("records")}
    if reps:
        sql, index = replicate_df_sql(prep, measures, by, where)
        count = len(reps.weights)
        for record in prep.engine.query(sql).to_dict("records"):
            ranks = {}
            for b in set(index):
                gram = np.zeros((count, count))
                for i in range(count):
                    for j in range(i, count):
                        gram[i, j] = gram[j, i] = float(record[f"_g{b}_{i}_{j}"] or 0.0)
                ranks[b] = intervals.rank(gram) - 1
            for k, m in enumerate(measures):
                found.setdefault(key(record), {}).setdefault(m.name, [0, 0])[0] = ranks[index[k]]
    for row in rows:
        row["df"], row["_nonbinary"] = found.get(tuple(row[b] for b in by), {}).get(
            row["measure"], (0, 0))
    return rows


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


def _replicate_logit_se(row: dict, rscales: np.ndarray | None, centre: str) -> float | None:
    """SE of logit(p) from the replicates' logits, as R's svyglm on replicate weights gives it
    (the replicate scale cancels: SE_logit = SE * spread of logits / spread of estimates)."""
    theta = row.get("_theta")
    if theta is None or rscales is None or not row["se"] or not np.all((theta > 0) & (theta < 1)):
        return None
    logits = np.log(theta / (1 - theta))

    def spread(values: np.ndarray) -> float:
        middle = values[0] if centre == "full" else values[1:].mean()
        return float(np.sum(rscales * (values[1:] - middle) ** 2))

    return row["se"] * math.sqrt(spread(logits) / spread(theta))


def _finish(rows: list[dict], rel: Reliability, ci: str = intervals.DEFAULT_CI,
            replicates=None) -> list[dict]:
    """CV, confidence interval (``ci``, see ``intervals.py``), reliability flag and suppression.
    A measure is a proportion when no row of its base, in any domain, breaks the 0/1 test."""
    rscales = np.asarray(replicates.rscales) if replicates else None
    centre = replicates.centre if replicates else "full"
    nonbinary: dict[str, int] = {}
    for row in rows:
        nonbinary[row["measure"]] = nonbinary.get(row["measure"], 0) + row.get("_nonbinary", 1)
    for row in rows:
        row.pop("_base", None)
        row.pop("_nonbinary", None)
        est, se = row["estimate"], row["se"]
        row["cv"] = abs(se / est) if est not in (None, 0.0) and se is not None else None
        if "ci_method" not in row:  # quantiles come with their own (Woodruff) interval
            proportion = row["kind"] in ("mean", "ratio") and nonbinary[row["measure"]] == 0
            row["ci_low"], row["ci_high"], row["ci_method"] = intervals.interval(
                ci, est, se, row["df"], proportion=proportion, n=row["n"],
                se_logit=_replicate_logit_se(row, rscales, centre))
        row.pop("_theta", None)
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
            est: float | None
            if m.kind == "total":
                est = float(Y)
            else:
                est = float(Y) / float(X) if X else None
            known = V is not None and not pd.isna(V)
            se = math.sqrt(max(float(V), 0.0)) if known and est is not None else None
            rows.append({"measure": m.name, "kind": m.kind, **domain, "estimate": est, "se": se,
                         "n": n, "_base": float(X or 0.0)})
    return rows


def bootstrap_scale(prep: Prepared, replicates: int) -> float:
    """R's default for bootstrap replicates (``as.svrepdesign(type = "bootstrap")``):
    nbar / ((nbar - 1) (R - 1)), nbar the harmonic mean of the PSUs per stratum."""
    info = prep.design_info
    assert info is not None
    nbar = info.psus_per_stratum
    if not nbar > 1 or replicates < 2:
        d = prep.mapping.design
        raise InputError.one(prep.mapping.where, "design.strata and design.psu of the bootstrap "
                             "sample, or design.replicate.scale", place="key 'design.replicate'",
                             value=f"{nbar:g} PSU per stratum" if d.psu else "no psu",
                             hint="R's default scale needs the PSUs per stratum; give scale: "
                                  "explicitly otherwise.")
    return nbar / ((nbar - 1.0) * (replicates - 1.0))


def _replicate_rows(frame: pd.DataFrame, measures: Sequence[Measure], by: Sequence[str],
                    prep: Prepared) -> list:
    reps = prep.mapping.design.replicates
    assert reps is not None
    count = len(reps.weights)
    rscales = np.asarray(reps.rscales)
    scale = reps.scale if reps.scale is not None else bootstrap_scale(prep, count)
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
                se = math.sqrt(scale * float(np.sum(rscales * (theta[1:] - centre) ** 2)))
            rows.append({"measure": m.name, "kind": m.kind, **domain, "estimate": est, "se": se,
                         "n": int(record[f"_N{k}"] or 0), "_base": float(X[0]), "_theta": theta})
    return rows


def estimate_prepared(prep: Prepared, measures: Sequence[Measure], by: Sequence[str] = (),
                      where: str | None = None, *, reliability: Reliability | None = None,
                      progress: Callable[[str], None] | None = None,
                      ci: str = intervals.DEFAULT_CI) -> pl.DataFrame:
    """Estimates for ``measures`` in every domain of ``by`` (cross-classified), one row each.

    Columns: measure, kind, the ``by`` columns, estimate, se, cv, ci_low, ci_high (95 %, method
    ``ci``: wald | t | logit | beta, see ``intervals.py``), df (design degrees of freedom),
    ci_method (the interval used on that row), n (unweighted sample persons of positive weight
    behind the figure: for a total those with y <> 0, for a mean or ratio those in its base),
    flag (ok | caution | suppressed), and ``lonely_psu`` when the design has single-unit strata
    (the rule and the strata it applied to).
    """
    check_ci(ci)
    if not measures:
        raise CorridorsError("nothing to estimate: give --total, --mean, --ratio, --quantile or "
                             "--indicators")
    plain = [m for m in measures if m.kind != "quantile"]
    rows = _estimate_rows(prep, plain, by, where, progress) if plain else []
    wanted = [m for m in measures if m.kind == "quantile"]
    if wanted:  # F(q) of each quantile is a proportion, estimated here (_estimate_rows)
        rows += quantile_rows(prep, wanted, by, where, ci, progress, proportions=_estimate_rows)
    return _table(prep, rows, by, reliability or prep.mapping.reliability, ci)


def check_ci(ci: str) -> None:
    if ci not in intervals.CI_METHODS:
        raise CorridorsError(f"unknown interval {ci!r}: choose " + ", ".join(intervals.CI_METHODS))


def _estimate_rows(prep: Prepared, measures: Sequence[Measure], by: Sequence[str],
                   where: str | None, progress: Callable[[str], None] | None) -> list[dict]:
    """The unfinished rows (estimate, se, df, n and the proportion test) of every measure."""
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
        frame = prep.engine.query(taylor_sql(prep, measures, by, where, info))
        rows = _taylor_rows(frame, measures, by)
    return _attach_df(prep, _present(rows, by), frame, measures, by, where)


def _table(prep: Prepared, rows: list[dict], by: Sequence[str], rel: Reliability,
           ci: str) -> pl.DataFrame:
    rows = _finish(rows, rel, ci, prep.mapping.design.replicates)
    schema = {"measure": pl.String, "kind": pl.String, **{b: pl.String for b in by},
              "estimate": pl.Float64, "se": pl.Float64, "cv": pl.Float64, "ci_low": pl.Float64,
              "ci_high": pl.Float64, "df": pl.Int64, "ci_method": pl.String, "n": pl.Int64,
              "flag": pl.String}
    out = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
    out = out.select(list(schema)).sort(["measure", *by])
    note = prep.design_info.lonely_note() if prep.design_info else None
    if note:  # which lonely-PSU rule applied to which strata travels with every figure
        out = out.with_columns(pl.lit(note).alias(LONELY_COLUMN))
    return out


def estimate(data: Microdata | str | Path, mapping: Mapping | str | Path,
             measures: Sequence[Measure], *, by: Sequence[str] = (), where: str | None = None,
             engine: Engine | str | None = None, reliability: Reliability | None = None,
             progress: Callable[[str], None] | None = None,
             ci: str = intervals.DEFAULT_CI) -> pl.DataFrame:
    """Read ``data`` with ``mapping`` and estimate ``measures`` by ``by`` on the chosen engine.

    >>> estimate("lfs.parquet", "lfs.yaml", [mean("foreign_born")], by=["sex"])  # doctest: +SKIP
    """
    prep = prepare(data, mapping, engine)
    return estimate_prepared(prep, measures, by, where, reliability=reliability,
                             progress=progress, ci=ci)
