"""Turn a mapping's variables into SQL columns, and the standard migration variables built on them.

The result is one SQL text (``source_sql``) with the raw columns plus every mapped variable, then the
derived ones (``foreign_born``, ``migrant_status``, ``in_labour_force``, ``age_group``, ...). The same
text runs on DuckDB and Spark: only quoting differs, through the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from corridors.errors import InputError

from . import expression
from .engines import VIEW, Engine
from .mapping import UNKNOWN_COUNTRY, Mapping, Rule


@dataclass(frozen=True)
class Source:
    """The SQL that yields raw + mapped + derived columns, and the names it makes available."""

    sql: str
    columns: tuple[str, ...]
    derived: tuple[str, ...]


def _band_labels(bands: tuple[float, ...]) -> list[tuple[float | None, float | None, str]]:
    out: list[tuple[float | None, float | None, str]] = []
    fmt = lambda v: str(int(v)) if float(v).is_integer() else str(v)  # noqa: E731
    if bands[0] > 0:
        out.append((None, bands[0], f"0-{fmt(bands[0] - 1)}"))
    for low, high in zip(bands, bands[1:], strict=False):
        out.append((low, high, f"{fmt(low)}-{fmt(high - 1)}"))
    out.append((bands[-1], None, f"{fmt(bands[-1])}+"))
    return out


def bands_sql(column_sql: str, bands: tuple[float, ...], engine: Engine) -> str:
    parts = []
    for low, high, label in _band_labels(bands):
        cond = []
        if low is not None:
            cond.append(f"{column_sql} >= {low}")
        if high is not None:
            cond.append(f"{column_sql} < {high}")
        parts.append(f"WHEN {' AND '.join(cond)} THEN {engine.literal(label)}")
    return f"CASE {' '.join(parts)} ELSE NULL END"


def _number(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]  # any value: float()'s refusals are caught
    except (TypeError, ValueError):
        return None


def _key_sql(rule: Rule, col: str, numeric: bool) -> str:
    if numeric:
        return f"CAST({col} AS DOUBLE)"
    text = f"TRIM(CAST({col} AS STRING))"
    return f"UPPER({text})" if rule.ignore_case else text


def _rule_value(rule: Rule, mapping: Mapping, engine: Engine, types: dict[str, str],
                names: list[str], variable: str) -> str:
    if rule.value is not None or (rule.column is None and rule.expr is None):
        return "NULL" if rule.value is None else engine.literal(str(rule.value))
    if rule.expr is not None:
        return expression.render(rule.expr, names, engine.quote, engine.literal)
    column = rule.column or ""
    if column not in types:
        raise InputError.one(mapping.where, "a column of the microdata file", place=f"key 'variables."
                             f"{variable}.column'", value=column,
                             hint="Columns: " + ", ".join(sorted(types)[:80]))
    col = engine.quote(column)
    numeric = types[column] == "numeric"
    if rule.bands:
        return bands_sql(col, rule.bands, engine)
    missing = []
    for value in rule.missing:
        if numeric and _number(value) is not None:
            missing.append(f"CAST({col} AS DOUBLE) = {_number(value)!r}")
        else:
            missing.append(f"TRIM(CAST({col} AS STRING)) = {engine.literal(str(value))}")
    guard = f"WHEN {' OR '.join(missing)} THEN NULL " if missing else ""
    if rule.map is None:
        raw = col if numeric else f"TRIM(CAST({col} AS STRING))"
        return f"CASE {guard}ELSE {raw} END" if guard else raw
    key = _key_sql(rule, col, numeric)
    whens = []
    for raw_key, target in rule.map.items():
        out = "NULL" if target is None else (
            repr(target) if isinstance(target, (int, float)) else engine.literal(target))
        if numeric:
            number = _number(raw_key)
            if number is None:
                raise InputError.one(mapping.where, "a number (the column holds numbers)",
                                     place=f"key 'variables.{variable}.map'", value=raw_key)
            whens.append(f"WHEN {key} = {number!r} THEN {out}")
        else:
            text = str(raw_key).strip()
            text = text.upper() if rule.ignore_case else text
            whens.append(f"WHEN {key} = {engine.literal(text)} THEN {out}")
    if rule.unmapped in ("error", "null"):
        other = "NULL"
    elif rule.unmapped == "keep":
        other = f"TRIM(CAST({col} AS STRING))"
    else:
        other = engine.literal(rule.unmapped)
    return f"CASE {guard}{' '.join(whens)} ELSE {other} END"


def _variable_sql(mapping: Mapping, name: str, engine: Engine, types: dict[str, str]) -> str:
    variable = mapping.variables[name]
    raw_names = list(types)
    if len(variable.rules) == 1 and variable.rules[0].when is None:
        return _rule_value(variable.rules[0], mapping, engine, types, raw_names, name)
    parts = []
    for rule in variable.rules:
        value = _rule_value(rule, mapping, engine, types, raw_names, name)
        if rule.when is None:
            parts.append(f"ELSE {value}")
            break
        cond = expression.render(rule.when, raw_names, engine.quote, engine.literal)
        parts.append(f"WHEN {cond} THEN {value}")
    if not parts[-1].startswith("ELSE"):
        parts.append("ELSE NULL")
    return f"CASE {' '.join(parts)} END"


def _derived(mapping: Mapping, present: set[str], engine: Engine) -> list[tuple[str, str]]:
    q, lit = engine.quote, engine.literal
    out: list[tuple[str, str]] = []
    home = mapping.country
    if "birth_country" in present and home:
        born = q("birth_country")
        out.append(("foreign_born", f"CASE WHEN {born} IS NULL THEN NULL WHEN {born} = {lit(home)} "
                                    "THEN 0 ELSE 1 END"))
        out.append(("migrant_status", f"CASE WHEN {born} IS NULL THEN NULL WHEN {born} = "
                                      f"{lit(home)} THEN 'native-born' ELSE 'foreign-born' END"))
    if "citizenship" in present and home:
        cit = q("citizenship")
        out.append(("foreign_citizen", f"CASE WHEN {cit} IS NULL THEN NULL WHEN {cit} = "
                                       f"{lit(home)} THEN 0 ELSE 1 END"))
        out.append(("citizenship_status", f"CASE WHEN {cit} IS NULL THEN NULL WHEN {cit} = "
                                          f"{lit(home)} THEN 'citizen' ELSE 'foreign citizen' END"))
    for years in ("1y", "5y"):
        name = f"residence_{years}"
        if name in present and home:
            res = q(name)
            out.append((f"abroad_{years}", f"CASE WHEN {res} IS NULL THEN NULL WHEN {res} = "
                                           f"{lit(home)} THEN 0 ELSE 1 END"))
            if "birth_country" in present:
                born = q("birth_country")
                out.append((f"return_migrant_{years}",
                            f"CASE WHEN {res} IS NULL OR {born} IS NULL THEN NULL WHEN {born} = "
                            f"{lit(home)} AND {res} <> {lit(home)} THEN 1 ELSE 0 END"))
    if "labour_status" in present:
        ls = q("labour_status")
        out.append(("employed", f"CASE WHEN {ls} IS NULL THEN NULL WHEN {ls} = 'employed' "
                                "THEN 1 ELSE 0 END"))
        out.append(("unemployed", f"CASE WHEN {ls} IS NULL THEN NULL WHEN {ls} = 'unemployed' "
                                  "THEN 1 ELSE 0 END"))
        out.append(("in_labour_force", f"CASE WHEN {ls} IS NULL THEN NULL WHEN {ls} IN "
                                       "('employed', 'unemployed') THEN 1 ELSE 0 END"))
    if "age" in present:
        age = q("age")
        out.append(("working_age", f"CASE WHEN {age} IS NULL THEN NULL WHEN {age} >= "
                                   f"{mapping.working_age} THEN 1 ELSE 0 END"))
        if "age_group" not in present:
            out.append(("age_group", bands_sql(age, mapping.age_bands, engine)))
    return [(n, s) for n, s in out if n not in present]


def source(mapping: Mapping, engine: Engine, types: dict[str, str]) -> Source:
    """SQL over the view ``microdata`` with raw columns, mapped variables and derived variables."""
    mapped = [(name, _variable_sql(mapping, name, engine, types)) for name in mapping.variables]
    raw = [c for c in types if c not in mapping.variables]
    first = ", ".join([engine.quote(c) for c in raw] + [f"{s} AS {engine.quote(n)}"
                                                        for n, s in mapped])
    derived = _derived(mapping, set(mapping.variables), engine)
    inner = f"SELECT {first} FROM {VIEW}"
    if derived:
        extra = ", ".join(f"{s} AS {engine.quote(n)}" for n, s in derived)
        sql = f"SELECT _m.*, {extra} FROM ({inner}) _m"
    else:
        sql = inner
    names = tuple(raw) + tuple(mapping.variables) + tuple(n for n, _ in derived)
    return Source(sql, names, tuple(mapping.variables) + tuple(n for n, _ in derived))


def check_codes(mapping: Mapping, engine: Engine, types: dict[str, str], file: str) -> None:
    """Stop on survey codes the mapping does not map (``unmapped: error``, the default), listing
    each value, how many rows have it, and the rule it fell under."""
    problems = []
    for name, variable in mapping.variables.items():
        for index, rule in enumerate(variable.rules):
            if rule.map is None or rule.unmapped != "error" or rule.column is None:
                continue
            value_sql = _rule_value(rule, mapping, engine, types, list(types), name)
            col = engine.quote(rule.column)
            # group the raw codes first (one cheap pass), then map only the distinct codes
            conds = [f"({value_sql}) IS NULL"]
            numeric = types.get(rule.column) == "numeric"
            nulls = [k for k, v in rule.map.items() if v is None]
            for raw_key in list(nulls) + list(rule.missing):
                if numeric and _number(raw_key) is not None:
                    conds.append(f"CAST({col} AS DOUBLE) <> {_number(raw_key)!r}")
                else:
                    text = str(raw_key).strip()
                    conds.append(f"UPPER(TRIM(CAST({col} AS STRING))) <> "
                                 f"{engine.literal(text.upper())}")
            inner = [f"{col} IS NOT NULL"]
            if rule.when:
                inner.append("(" + expression.render(rule.when, list(types), engine.quote,
                                                     engine.literal) + ")")
            sql = (f"SELECT CAST({col} AS STRING) AS value, _rows AS rows FROM "
                   f"(SELECT {col}, COUNT(*) AS _rows FROM {VIEW} WHERE {' AND '.join(inner)} "
                   f"GROUP BY {col}) _codes WHERE {' AND '.join(conds)} "
                   "ORDER BY 2 DESC, 1 LIMIT 20")
            for value, rows in engine.query(sql).itertuples(index=False):
                where = f" where {rule.when}" if rule.when else ""
                problems.append((name, rule.column, value, int(rows), where, index))
    if problems:
        from corridors.errors import Problem

        items = [
            Problem(file, place=f"column {col}", value=value,
                    expected=f"a code listed under variables.{name}"
                             f"{'[' + str(i) + ']' if len(mapping.variables[name].rules) > 1 else ''}"
                             f".map in {mapping.where} ({rows} rows{where})")
            for name, col, value, rows, where, i in problems
        ]
        hint = (f"Add each code to the map (use {UNKNOWN_COUNTRY} for an unknown country), or set "
                "unmapped: null to treat unlisted codes as missing.")
        raise InputError(items, hint)
