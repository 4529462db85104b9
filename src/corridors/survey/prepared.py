"""Microdata prepared for estimation: the file loaded in an engine with the mapping's variables as
columns (``prepare``), what the design check found (``DesignInfo``), and the SQL pieces every
estimate is built from (a domain column and its label, a measure's rows, y and x)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from corridors.errors import CorridorsError, InputError

from . import expression
from .engines import Engine, engine_for
from .mapping import Mapping, load_mapping
from .measures import Measure
from .microdata import Microdata, open_microdata
from .variables import Source, check_codes, source
from .weights import check_microdata

MISSING = "(missing)"


@dataclass(frozen=True)
class DesignInfo:
    """What the design check found: counts, each stage's fpc kind, and the single-unit strata
    that ``lonely_psu`` handled (stage, stratum label), shown beside the estimates."""

    strata: int
    psus: int
    rows: int
    fpc_kinds: tuple[str, ...]  # per stage: 'none' | 'fraction' | 'size'
    lonely: tuple[tuple[int, str], ...] = ()
    lonely_rule: str = "fail"
    psus_per_stratum: float = math.nan  # harmonic mean of first-stage PSUs per stratum

    @property
    def fpc_kind(self) -> str:
        return self.fpc_kinds[0]

    @property
    def stages(self) -> int:
        """Stages whose variance is computed: all when fpc is given, else the first (R's rule)."""
        return len(self.fpc_kinds) if self.fpc_kinds[0] != "none" else 1

    def lonely_note(self) -> str | None:
        """Which rule applied to which strata, e.g. ``adjust: stage 1 strata 3, 7``."""
        if not self.lonely:
            return None
        parts = []
        for stage in sorted({st for st, _ in self.lonely}):
            # in a stable, natural order (the engine returns strata in any order: 2 before 10)
            labels = sorted({label for st, label in self.lonely if st == stage}, key=natural_order)
            shown = ", ".join(labels[:10]) + (f" and {len(labels) - 10} more"
                                              if len(labels) > 10 else "")
            parts.append(f"stage {stage} {'stratum' if len(labels) == 1 else 'strata'} {shown}")
        return f"{self.lonely_rule}: " + "; ".join(parts)


def natural_order(text: str) -> list:
    """Sort key that puts "district 4" before "district 10" (stratum labels, shown to people)."""
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", text)]


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
    missing = [c for c in mapping.design.columns if c not in types]
    if missing:
        raise InputError.one(str(data.path), "the design columns named in the mapping",
                             value=missing[0], place="key 'design'",
                             hint=f"{mapping.where} names it; columns: "
                                  + ", ".join(sorted(types)[:80]) + _case_hint(missing[0], types))
    design = mapping.design
    check_microdata(engine, data, [w for w in [design.weight, *(
        design.replicates.weights if design.replicates else ())] if w], mapping.keep,
        main=design.weight)
    src = source(mapping, engine, types)
    if check:
        check_codes(mapping, engine, types, str(data.path))
    kinds = engine.kinds(f"SELECT * FROM ({src.sql}) _s LIMIT 0")
    return Prepared(data, mapping, engine, src, kinds)


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
