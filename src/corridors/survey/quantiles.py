"""Design-based quantiles (e.g. median monthly earnings) with SEs and confidence intervals, by domain.

As R's ``svyquantile`` (survey 4.x) with its defaults (``qrule = "math"``, ``interval.type =
"mean"``):

1. the estimate is the smallest value q whose weighted distribution function F(q) = sum of the
   weights of rows <= q / sum of the weights reaches p (zero weights left out);
2. F(q) is estimated with its SE and the design df like any proportion (the mean of
   ``y <= q`` in the domain, Taylor or replicate weights: ``estimator.py``), and its interval
   F +/- t(0.975, df) SE (the normal quantile with ``--ci wald``) is turned back into values with
   the rule of step 1 (Woodruff 1952); a bound whose probability falls outside [0, 1] is NULL;
3. SE = (upper - lower) / (2 t(0.975, df)).

Steps 1 and 3 are one SQL query each: the weighted distribution function per domain by window
sums, on DuckDB and Spark alike; step 2 is the estimator's own SQL with the domain's q joined in.
Ties in F at p are decided with a relative tolerance of 1e-10, so the result does not depend on
the order in which an engine sums the weights (R compares floating-point sums exactly). Where p is
below the first row's share of the weight, R's rule returns the second smallest value; this one
returns the smallest (the mathematical definition).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from . import intervals
from .measures import Measure, mean
from .prepared import Prepared, _domain_label, _measure_parts
from .variables import Source

# the estimator's rows for measures by domain (``estimator._estimate_rows``: estimate, se, df, n),
# given by the estimator so that this module needs nothing from it
Proportions = Callable[[Prepared, Sequence[Measure], Sequence[str], str | None,
                        Callable[[str], None] | None], list[dict]]

TOLERANCE = 1e-10


def _values(rows: list[tuple], engine_literal: Callable[[str], str]) -> str:
    """An inline table of (labels..., key, probability) rows (both engines read this form)."""

    def cell(value: object) -> str:
        if value is None:
            return "CAST(NULL AS DOUBLE)"
        if isinstance(value, str):
            return engine_literal(value)
        if isinstance(value, float):
            return f"CAST({value!r} AS DOUBLE)"
        return str(value)

    return ", ".join("(" + ", ".join(cell(v) for v in row) + ")" for row in rows)


def quantile_sql(prep: Prepared, m: Measure, by: Sequence[str], where: str | None,
                 targets: list[tuple] | None, probabilities: Sequence[float]) -> str:
    """Values at which the weighted distribution function of ``m.y`` reaches each target, per
    domain. ``targets``: (domain labels..., key, p) rows; None = every domain x
    ``probabilities`` (keys 0, 1, ...)."""
    d, q = prep.mapping.design, prep.engine.quote
    weight = d.weight or (d.replicates.weights[0] if d.replicates else "")
    w = f"CAST({q(weight)} AS DOUBLE)"
    ok, y, _x = _measure_parts(prep, m, where)
    doms = [f"_d{j}" for j in range(len(by))]
    labels = [f"{_domain_label(prep, b, '_s.' + q(b))} AS {c}" for b, c in zip(by, doms, strict=True)]
    dsel = "".join(f"{c}, " for c in doms)
    part = f"PARTITION BY {', '.join(doms)} " if doms else ""
    base = (f"SELECT {''.join(lab + ', ' for lab in labels)}{y} AS _x, "
            f"{w} AS _w FROM ({prep.source.sql}) _s WHERE {ok} AND {w} > 0")
    vals = f"SELECT {dsel}_x, SUM(_w) AS _w FROM base GROUP BY {dsel}_x"
    cdf = (f"SELECT {dsel}_x, SUM(_w) OVER ({part}ORDER BY _x ROWS BETWEEN UNBOUNDED PRECEDING "
           f"AND CURRENT ROW) AS _c, SUM(_w) OVER ({part.strip()}) AS _t FROM vals")
    names = f"{dsel}_k, _p"
    if targets is None:
        probs = _values([(k, float(p)) for k, p in enumerate(probabilities)], prep.engine.literal)
        pt = f"(VALUES {probs}) AS pt(_k, _p)"
        tg = (f"SELECT {''.join('d.' + c + ', ' for c in doms)}pt._k, pt._p FROM "
              f"(SELECT DISTINCT {', '.join(doms)} FROM vals) d CROSS JOIN {pt}" if doms
              else f"SELECT _k, _p FROM {pt}")
    else:
        tg = f"SELECT * FROM (VALUES {_values(targets, prep.engine.literal)}) AS t({names})"
    join = "".join(f" AND c.{c} = t.{c}" for c in doms)
    return (f"WITH base AS ({base}), vals AS ({vals}), cdf AS ({cdf}), tg AS ({tg}) "
            f"SELECT {''.join('t.' + c + ', ' for c in doms)}t._k, MIN(c._x) AS _q FROM tg t "
            f"JOIN cdf c ON c._c >= (t._p - {TOLERANCE!r}) * c._t{join} "
            f"GROUP BY {''.join('t.' + c + ', ' for c in doms)}t._k")


def _solve(prep: Prepared, m: Measure, by: Sequence[str], where: str | None,
           targets: list[tuple] | None, probabilities: Sequence[float]) -> dict[tuple, float]:
    """(domain labels..., key) -> value."""
    frame = prep.engine.query(quantile_sql(prep, m, by, where, targets, probabilities))
    keys = [f"_d{j}" for j in range(len(by))] + ["_k"]
    return {tuple(r[k] if k != "_k" else int(r[k]) for k in keys): float(r["_q"])
            for r in frame.to_dict("records") if r["_q"] is not None}


def _with_quantiles(prep: Prepared, by: Sequence[str], found: dict[tuple, float],
                    count: int) -> Prepared:
    """``prep`` whose rows carry ``_q0``, ``_q1``, ... : their domain's quantiles."""
    q = prep.engine.quote
    domains = sorted({key[:-1] for key in found})
    rows = [(*dom, *[found.get((*dom, k)) for k in range(count)]) for dom in domains]
    if not rows:
        rows = [tuple([""] * len(by) + [None] * count)]
    lab = [f"_l{j}" for j in range(len(by))]
    qs = [f"_q{k}" for k in range(count)]
    table = f"(VALUES {_values(rows, prep.engine.literal)}) AS _qq({', '.join(lab + qs)})"
    on = " AND ".join(f"{_domain_label(prep, b, '_s.' + q(b))} = _qq.{c}"
                      for b, c in zip(by, lab, strict=True)) or "1 = 1"
    sql = (f"SELECT _s.*, {', '.join('_qq.' + c for c in qs)} FROM ({prep.source.sql}) _s "
           f"LEFT JOIN {table} ON {on}")
    source = Source(sql, prep.source.columns + tuple(qs), prep.source.derived)
    return dataclasses.replace(prep, source=source)


def quantile_rows(prep: Prepared, measures: Sequence[Measure], by: Sequence[str],
                  where: str | None, ci: str,
                  progress: Callable[[str], None] | None = None, *,
                  proportions: Proportions) -> list[dict]:
    """Rows (as ``proportions`` gives them, interval included) for quantile measures; measures of
    one variable and universe share their queries. ``proportions`` estimates F(q), the mean of
    ``y <= q``, with the design's variance (the estimator passes its own)."""
    say = progress or (lambda _text: None)
    groups: dict[tuple, list[Measure]] = {}
    for m in measures:
        groups.setdefault((m.y, m.universe), []).append(m)
    rows: list[dict] = []
    wald = ci == "wald"
    for (y, universe), group in groups.items():
        say(f"quantiles of {y}: {', '.join(f'{m.p:g}' for m in group)}")
        probs = [float(m.p) for m in group]  # type: ignore[arg-type]  # Measure: a quantile has its p
        found = _solve(prep, group[0], by, where, None, probs)
        # F(q) in each domain, its SE and df: the mean of (y <= q), with the design's variance
        below = [mean(f"CASE WHEN ({y}) IS NULL OR _q{k} IS NULL THEN NULL WHEN ({y}) <= _q{k} "
                      f"THEN 1 ELSE 0 END", f"_F{k}", universe) for k in range(len(group))]
        cdf = proportions(_with_quantiles(prep, by, found, len(group)), below, by, where, None)
        targets: list[tuple[object, ...]] = []
        pending = []
        for row in cdf:
            k = int(row["measure"][2:])
            dom = tuple(row[b] for b in by)
            if (*dom, k) not in found or row["estimate"] is None:
                continue
            crit = intervals.critical(row["df"], wald=wald)
            low = high = None
            if crit is not None and row["se"] is not None:
                p_low = row["estimate"] - crit * row["se"]
                p_high = row["estimate"] + crit * row["se"]
                low = len(targets) if p_low >= 0 else None
                if low is not None:
                    targets.append((*dom, low, p_low))
                high = len(targets) if p_high <= 1 else None
                if high is not None:
                    targets.append((*dom, high, p_high))
            pending.append((row, k, dom, crit, low, high))
        bounds = _solve(prep, group[0], by, where, targets, []) if targets else {}
        for row, k, dom, crit, low, high in pending:
            lo = bounds.get((*dom, low)) if low is not None else None
            hi = bounds.get((*dom, high)) if high is not None else None
            se = (hi - lo) / (2 * crit) if crit is not None and lo is not None and hi is not None else None
            m = group[k]
            rows.append({"measure": m.name, "kind": "quantile", **{b: row[b] for b in by},
                         "estimate": found[(*dom, k)], "se": se, "df": row["df"],
                         "n": row["n"], "ci_low": lo, "ci_high": hi,
                         "ci_method": "woodruff-wald" if wald else "woodruff-t"})
    return rows
