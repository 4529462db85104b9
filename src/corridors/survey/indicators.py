"""ICLS-2018 labour-migration indicators (20th ICLS guidelines; ILO ILMS tables).

Each indicator is a design-based estimate (total, proportion, rate or median) over named domains,
built from the standard variables of the mapping file (``birth_country``, ``citizenship``,
``residence_1y``/``residence_5y``, ``labour_status``, ``sex``, ``age``, ``education``,
``industry``, ``occupation``, ``status_in_employment``, ``monthly_earnings``). An indicator whose
variables the survey lacks is skipped and listed as such. Definitions (``INDICATORS[i].definition``)
are repeated in docs/survey.md.

Derived variables (``variables.py``): ``foreign_born`` (born in a country other than the survey
country; unknown birthplace = missing), ``foreign_citizen``, ``migrant_status``
(foreign-born | native-born), ``abroad_1y``/``abroad_5y`` (usual residence abroad one / five years
ago), ``return_migrant_5y`` (native-born who lived abroad five years ago), ``in_labour_force``
(employed or unemployed), ``working_age`` (age >= the mapping's ``working_age``, default 15).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from .estimator import (
    LONELY_COLUMN,
    RESULT_COLUMNS,
    Measure,
    Prepared,
    domain_columns,
    estimate_prepared,
    mean,
    quantile,
    ratio,
    total,
)
from .intervals import DEFAULT_CI

WA = "working_age = 1"


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    definition: str
    needs: tuple[str, ...]
    measure: Measure
    domains: tuple[tuple[str, ...], ...]


def _i(id: str, title: str, definition: str, needs: tuple[str, ...], measure: Measure,
       domains: tuple[tuple[str, ...], ...]) -> Indicator:
    return Indicator(id, title, definition, needs,
                     Measure(id, measure.kind, measure.y, measure.x, measure.universe, title,
                             measure.p),
                     domains)


FB, FC = ("birth_country",), ("citizenship",)
LS = ("labour_status", "age")

INDICATORS: tuple[Indicator, ...] = (
    _i("migrants_foreign_born", "International migrants (foreign-born)",
       "Persons usually resident whose country of birth is not the survey country (the "
       "ICLS-2018 international migrant stock, country-of-birth criterion). Weighted total.",
       FB, total("foreign_born"),
       ((), ("sex",), ("age_group",), ("sex", "age_group"), ("education",))),
    _i("share_foreign_born", "Foreign-born share of the population",
       "Foreign-born persons / persons with a known country of birth (proportion).",
       FB, mean("foreign_born"), ((), ("sex",), ("age_group",))),
    _i("migrants_by_origin", "International migrants by country of birth",
       "Foreign-born persons by ISO3 country of birth (weighted total).",
       FB, total("1", universe="foreign_born = 1"), (("birth_country",),
                                                     ("birth_country", "sex"))),
    _i("migrants_foreign_citizens", "International migrants (foreign citizens)",
       "Persons usually resident who are not citizens of the survey country (ICLS-2018: "
       "foreign citizens). Weighted total.",
       FC, total("foreign_citizen"), ((), ("sex",), ("age_group",), ("education",))),
    _i("share_foreign_citizens", "Foreign-citizen share of the population",
       "Foreign citizens / persons with a known citizenship (proportion).",
       FC, mean("foreign_citizen"), ((), ("sex",))),
    _i("migrant_workers", "International migrant workers",
       "Foreign-born persons of working age in the labour force, i.e. employed or unemployed "
       "(the ICLS-2018 international migrant workers who are usual residents; non-resident "
       "foreign workers are outside a household survey).",
       FB + LS, total("in_labour_force", universe=f"foreign_born = 1 AND {WA}"),
       ((), ("sex",), ("age_group",))),
    _i("migrant_workers_employed", "Employed international migrants",
       "Foreign-born persons of working age who are employed.",
       FB + LS, total("employed", universe=f"foreign_born = 1 AND {WA}"), ((), ("sex",))),
    _i("migrant_workers_unemployed", "Unemployed international migrants",
       "Foreign-born persons of working age who are unemployed.",
       FB + LS, total("unemployed", universe=f"foreign_born = 1 AND {WA}"), ((), ("sex",))),
    _i("labour_force_participation_rate", "Labour-force participation rate",
       "(Employed + unemployed) / working-age population, by migrant status and sex.",
       FB + LS, mean("in_labour_force", universe=WA),
       (("migrant_status",), ("migrant_status", "sex"))),
    _i("employment_to_population_ratio", "Employment-to-population ratio",
       "Employed / working-age population, by migrant status and sex.",
       FB + LS, mean("employed", universe=WA), (("migrant_status",), ("migrant_status", "sex"))),
    _i("unemployment_rate", "Unemployment rate",
       "Unemployed / labour force (employed + unemployed) of working age, by migrant status and "
       "sex (ratio estimator).",
       FB + LS, ratio("unemployed", "in_labour_force", universe=WA),
       (("migrant_status",), ("migrant_status", "sex"))),
    _i("median_monthly_earnings", "Median monthly earnings of employees by migrant status",
       "Median of the mapping's monthly_earnings among employed persons of working age who "
       "report earnings, by migrant status and sex (the ILO's earnings of migrant and non-migrant "
       "employees: map monthly_earnings for employees only, missing for others). SE and 95 % CI "
       "by Woodruff's method, as R's svyquantile.",
       FB + LS + ("monthly_earnings",),
       quantile("monthly_earnings", 0.5, universe=f"{WA} AND employed = 1"),
       (("migrant_status",), ("migrant_status", "sex"))),
    _i("employed_by_industry", "Employed persons by industry and migrant status",
       "Employed persons of working age by the survey's industry code (weighted total).",
       FB + LS + ("industry",), total("employed", universe=f"{WA} AND employed = 1"),
       (("migrant_status", "industry"),)),
    _i("employed_by_occupation", "Employed persons by occupation and migrant status",
       "Employed persons of working age by the survey's occupation code (weighted total).",
       FB + LS + ("occupation",), total("employed", universe=f"{WA} AND employed = 1"),
       (("migrant_status", "occupation"),)),
    _i("employed_by_status", "Employed persons by status in employment and migrant status",
       "Employed persons of working age by status in employment (weighted total).",
       FB + LS + ("status_in_employment",), total("employed", universe=f"{WA} AND employed = 1"),
       (("migrant_status", "status_in_employment"),)),
    _i("recent_migrants_1y", "Recent international migrants (abroad one year ago)",
       "Persons whose usual residence one year before the survey was abroad (weighted total).",
       ("residence_1y",), total("abroad_1y"), ((), ("sex",))),
    _i("recent_migrants_5y", "Recent international migrants (abroad five years ago)",
       "Persons whose usual residence five years before the survey was abroad (weighted "
       "total; persons born since then or with unknown residence are excluded).",
       ("residence_5y",), total("abroad_5y"), ((), ("sex",))),
    _i("share_recent_migrants_5y", "Share of recent international migrants (five years)",
       "Persons abroad five years ago / persons with a known residence five years ago.",
       ("residence_5y",), mean("abroad_5y"), ((), ("sex",))),
    _i("return_migrants_5y", "Return migrants (five years)",
       "Native-born persons whose usual residence five years ago was abroad (ICLS-2018: return "
       "migrants; identified by country of birth, as the survey allows).",
       FB + ("residence_5y",), total("return_migrant_5y"), ((), ("sex",))),
)


def available(prep: Prepared) -> tuple[list[Indicator], list[Indicator]]:
    """(indicators the mapping supports, indicators skipped for lack of variables)."""
    present = set(prep.source.columns)
    ok: list[Indicator] = []
    skipped: list[Indicator] = []
    for indicator in INDICATORS:
        (ok if set(indicator.needs) <= present else skipped).append(indicator)
    return ok, skipped


def icls(prep: Prepared, *, extra_by: tuple[str, ...] = (), where: str | None = None,
         progress: Callable[[str], None] | None = None, ci: str = DEFAULT_CI) -> pl.DataFrame:
    """Every ICLS indicator the survey supports, in every domain the indicator lists (domains
    whose variables the mapping lacks are left out). ``extra_by`` adds domain columns to all.

    One SQL query per distinct set of domain columns. Columns: indicator, kind, the domain
    columns (empty where not a domain of that row), then ``RESULT_COLUMNS`` (estimate, se, cv,
    ci_low, ci_high, df, ci_method, n, flag); ``ci`` as in ``estimate_prepared``.
    """
    present = set(prep.source.columns)
    indicators, _skipped = available(prep)
    groups: dict[tuple[str, ...], list[Measure]] = {}
    for indicator in indicators:
        for domain in indicator.domains:
            by = tuple(dict.fromkeys(tuple(extra_by) + domain))
            if set(by) <= present:
                groups.setdefault(by, []).append(indicator.measure)
    frames = []
    say = progress or (lambda _text: None)
    for step, (by, measures) in enumerate(groups.items(), start=1):
        label = " x ".join(by) or "all persons"
        say(f"[{step}/{len(groups)}] {len(measures)} indicators by {label}")
        frames.append(estimate_prepared(prep, measures, by, where, ci=ci))
    if not frames:
        return pl.DataFrame()
    out = pl.concat(frames, how="diagonal_relaxed")
    domain_cols = domain_columns(out.columns)
    order = [i.id for i in INDICATORS]
    out = out.rename({"measure": "indicator"}).with_columns(
        pl.col("indicator").replace_strict(order, list(range(len(order))),
                                           return_dtype=pl.Int64).alias("_order"))
    extra = [LONELY_COLUMN] if LONELY_COLUMN in out.columns else []
    return out.sort(["_order", *domain_cols], nulls_last=False).drop("_order").select(
        ["indicator", "kind", *domain_cols, *RESULT_COLUMNS, *extra])
