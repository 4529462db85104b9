"""The mapping file: what a survey's columns and codes mean (YAML, one per survey).

Sections (see docs/survey.md for the full reference and examples):

- ``survey``: ``id`` (dataset id in the store), ``title``, ``country`` (the country the survey covers,
  any code), ``year``, ``publisher``.
- ``design``: ``weight``, ``strata``, ``psu``, ``fpc`` (any may be absent) or ``stages`` (a list
  of ``{psu, fpc}``, one per sampling stage), ``pps`` (``brewer``), ``lonely_psu`` (``fail`` |
  ``certainty`` | ``remove`` | ``adjust`` | ``average``), or ``replicate`` (``weights``,
  ``method``, ``rho``, ``scale``, ``rscales``, ``centre``).
- ``read``: ``delimiter``, ``null_values`` for CSV files; ``keep``: a row condition, rows where it
  is not true are dropped before the design is formed (as if deleted from the file; for a
  subpopulation use a domain, ``--where``, instead).
- ``variables``: standard names (``sex``, ``age``, ``birth_country``, ``citizenship``,
  ``residence_1y``, ``residence_5y``, ``labour_status``, ``industry``, ``occupation``,
  ``status_in_employment``, ``education``, ``monthly_earnings``) or any name of your own, each from a ``column`` with an
  optional code ``map``, a constant ``value``, an ``expr``, age ``bands``, or a list of such rules with
  ``when:`` conditions (e.g. EPH: birth place codes 1-3 mean Argentina, 4-5 mean the country typed in
  ``CH15_COD``).
- ``reliability``: ``min_n``, ``cv_caution``, ``cv_suppress``, ``suppress``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

import corridors.codes as codes
from corridors.errors import InputError
from corridors.yamlfile import read_yaml

from . import expression

COUNTRY_VARIABLES = ("birth_country", "citizenship", "residence_1y", "residence_5y")
CATEGORIES = {
    "sex": {"male", "female"},
    "labour_status": {"employed", "unemployed", "outside"},
}
REPLICATE_METHODS = ("brr", "fay", "jk1", "jkn", "bootstrap", "sdr")
LONELY_PSU = ("fail", "certainty", "remove", "adjust", "average")
PPS = ("brewer",)
UNKNOWN_COUNTRY = "XXX"


@dataclass(frozen=True)
class Replicates:
    """Replicate weights: V = scale * sum_r rscale_r (theta_r - theta)^2 (centred on the
    full-sample estimate unless ``centre: mean``)."""

    weights: tuple[str, ...]
    method: str
    scale: float | None  # None: bootstrap, R's default (from the PSUs per stratum of the data)
    rscales: tuple[float, ...]
    centre: str = "full"


@dataclass(frozen=True)
class Stage:
    """One sampling stage: its unit column (absent = each row is a unit), its finite-population
    correction (units in the stratum's population, or a sampling fraction <= 1; absent = with
    replacement) and, below the first stage, optional strata within each unit of the stage above."""

    psu: str | None = None
    fpc: str | None = None
    strata: str | None = None


@dataclass(frozen=True)
class Design:
    """Sampling design columns. Absent strata = one stratum; absent PSU = each row its own PSU.

    ``stages`` always holds at least the first stage (``psu``, ``fpc``, ``strata`` repeat it);
    a multi-stage mapping lists every stage. ``pps``: ``brewer`` for PSUs drawn with probability
    proportional to size without replacement (fpc = each unit's inclusion probability)."""

    weight: str | None = None
    strata: str | None = None
    psu: str | None = None
    fpc: str | None = None
    lonely_psu: str = "fail"
    replicates: Replicates | None = None
    stages: tuple[Stage, ...] = ()
    pps: str | None = None

    def __post_init__(self) -> None:
        if not self.stages:
            object.__setattr__(self, "stages", (Stage(self.psu, self.fpc, self.strata),))

    @property
    def columns(self) -> list[str]:
        """Every design column the mapping names (weights, strata, units, fpc, replicates)."""
        names = [self.weight, self.strata]
        for stage in self.stages:
            names += [stage.psu, stage.fpc, stage.strata]
        if self.replicates:
            names += list(self.replicates.weights)
        return list(dict.fromkeys(n for n in names if n))


@dataclass(frozen=True)
class Reliability:
    """Reliability flags and disclosure control (on by default).

    A cell with fewer than ``min_n`` sample persons, or a CV above ``cv_suppress``, is
    ``suppressed`` (estimate, SE and CI withheld when ``suppress``); a CV above ``cv_caution`` is
    flagged ``caution``. Defaults follow common LFS practice (Statistics Canada's 16.5 % / 33.3 %).
    """

    min_n: int = 30
    cv_caution: float = 0.165
    cv_suppress: float = 0.333
    suppress: bool = True


@dataclass(frozen=True)
class Rule:
    when: str | None = None
    column: str | None = None
    value: Any = None
    expr: str | None = None
    map: dict | None = None
    ignore_case: bool = True
    unmapped: str = "error"
    missing: tuple = ()
    bands: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Variable:
    name: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping file."""

    path: Path | None
    survey_id: str
    title: str
    country: str | None
    year: int | None
    publisher: str
    design: Design
    variables: dict[str, Variable]
    reliability: Reliability = field(default_factory=Reliability)
    working_age: int = 15
    age_bands: tuple[float, ...] = (15, 25, 35, 45, 55, 65)
    delimiter: str | None = None
    null_values: tuple[str, ...] = ("", "NA")
    keep: str | None = None

    @property
    def where(self) -> str:
        return str(self.path) if self.path else "mapping"


def _fail(path: str, key: str, value: object, expected: str, hint: str = "") -> InputError:
    return InputError.one(path, expected, place=f"key {key!r}" if key else None, value=value,
                          hint=hint)


def _rule(path: str, name: str, spec: Any) -> Rule:
    key = f"variables.{name}"
    if isinstance(spec, str):
        spec = {"column": spec}
    if not isinstance(spec, dict):
        raise _fail(path, key, spec, "a column name or a mapping with column/map/value/expr")
    allowed = {"when", "column", "value", "expr", "map", "ignore_case", "unmapped", "missing",
               "bands", "label"}
    extra = set(spec) - allowed
    if extra:
        raise _fail(path, key, sorted(extra)[0], "one of " + ", ".join(sorted(allowed)))
    sources = [k for k in ("column", "value", "expr") if k in spec]
    if len(sources) != 1:
        raise _fail(path, key, spec, "exactly one of column, value or expr")
    table = spec.get("map")
    if table is not None and not isinstance(table, dict):
        raise _fail(path, key + ".map", table, "a mapping of survey code -> value")
    if table is not None:
        table = {k: (v if v is None or isinstance(v, (int, float)) and not isinstance(v, bool)
                     else str(v)) for k, v in table.items()}
        if name in COUNTRY_VARIABLES:
            for raw, iso3 in table.items():
                if iso3 is not None and iso3 != UNKNOWN_COUNTRY and codes.code_for(iso3) != iso3:
                    raise _fail(path, key + ".map", f"{raw}: {iso3}",
                                "an ISO3 code of the country table (or XXX for unknown)")
        if name in CATEGORIES:
            bad = {v for v in table.values() if v is not None} - CATEGORIES[name]
            if bad:
                raise _fail(path, key + ".map", sorted(bad)[0],
                            "one of " + ", ".join(sorted(CATEGORIES[name])))
    value = spec.get("value")
    if name in COUNTRY_VARIABLES and "value" in spec and value is not None:
        resolved = codes.code_for(str(value))
        if resolved is None:
            raise _fail(path, key + ".value", value, "a country code or name")
        value = resolved
    bands = spec.get("bands")
    if bands is not None:
        if not isinstance(bands, list) or not all(isinstance(b, (int, float)) for b in bands):
            raise _fail(path, key + ".bands", bands, "a list of lower band limits, e.g. [15, 25]")
        bands = tuple(sorted(bands))
    missing = spec.get("missing") or ()
    if not isinstance(missing, (list, tuple)):
        missing = (missing,)
    for text in (spec.get("when"), spec.get("expr")):
        if text is not None:
            expression.tokens(str(text))
    unmapped = str(spec.get("unmapped", "error"))
    return Rule(when=spec.get("when"), column=spec.get("column"), value=value,
                expr=spec.get("expr"), map=table, ignore_case=bool(spec.get("ignore_case", True)),
                unmapped=unmapped, missing=tuple(missing), bands=bands)


def parse(data: object, path: Path | None = None) -> Mapping:
    """A Mapping from an already-loaded YAML document (``path`` only names it in errors)."""
    where = str(path) if path else "mapping"
    if not isinstance(data, dict):
        raise _fail(where, "(top)", type(data).__name__, "a YAML mapping with design: and variables:")
    survey = data.get("survey") or {}
    design_spec = data.get("design") or {}
    if not isinstance(design_spec, dict):
        raise _fail(where, "design", design_spec, "a mapping with weight/strata/psu/fpc")
    keys = ("weight", "strata", "psu", "fpc", "stages", "pps", "lonely_psu", "replicate")
    unknown = set(design_spec) - set(keys)
    if unknown:
        raise _fail(where, "design", sorted(unknown)[0], "one of " + ", ".join(keys))
    lonely = str(design_spec.get("lonely_psu", "fail"))
    if lonely not in LONELY_PSU:
        raise _fail(where, "design.lonely_psu", lonely, " | ".join(LONELY_PSU))
    pps = design_spec.get("pps")
    if pps is not None and str(pps).lower() not in PPS:
        raise _fail(where, "design.pps", pps, " | ".join(PPS) + " (or absent)")
    replicates = None
    if design_spec.get("replicate"):
        replicates = _replicates(where, design_spec["replicate"])
    stages = _stages(where, design_spec)
    if replicates is not None and (len(stages) > 1 or pps):
        raise _fail(where, "design.replicate", "stages/pps", "replicate weights alone",
                    hint="Replicate weights carry the design: leave out stages and pps.")
    design = Design(weight=design_spec.get("weight"), strata=design_spec.get("strata"),
                    psu=stages[0].psu, fpc=stages[0].fpc, lonely_psu=lonely,
                    replicates=replicates, stages=stages,
                    pps=str(pps).lower() if pps is not None else None)
    if design.weight is None and replicates is None:
        raise _fail(where, "design.weight", None, "the name of the weight column",
                    hint="An unweighted survey? Give a column of ones.")
    variables = {}
    for name, spec in (data.get("variables") or {}).items():
        if not str(name).isidentifier():
            raise _fail(where, "variables", name, "a variable name of letters, digits and _")
        specs = spec if isinstance(spec, list) else [spec]
        variables[str(name)] = Variable(str(name), tuple(_rule(where, name, s) for s in specs))
    country = survey.get("country")
    if country is not None:
        resolved = codes.code_for(str(country))
        if resolved is None:
            raise _fail(where, "survey.country", country, "a country code or name")
        country = resolved
    rel = data.get("reliability") or {}
    reliability = Reliability(
        min_n=int(rel.get("min_n", 30)), cv_caution=float(rel.get("cv_caution", 0.165)),
        cv_suppress=float(rel.get("cv_suppress", 0.333)), suppress=bool(rel.get("suppress", True)),
    )
    read = data.get("read") or {}
    if read.get("keep") is not None:
        expression.tokens(str(read["keep"]))
    stem = path.stem if path else "survey"
    return Mapping(
        path=path, survey_id=str(survey.get("id", stem)), title=str(survey.get("title", stem)),
        country=country, year=int(survey["year"]) if survey.get("year") else None,
        publisher=str(survey.get("publisher", "")), design=design, variables=variables,
        reliability=reliability, working_age=int(data.get("working_age", 15)),
        age_bands=tuple(data.get("age_bands", (15, 25, 35, 45, 55, 65))),
        delimiter=read.get("delimiter"),
        null_values=tuple(read.get("null_values", ("", "NA"))),
        keep=read.get("keep"),
    )


def _stages(where: str, spec: dict) -> tuple[Stage, ...]:
    """``design.stages`` (a list of {psu, fpc, strata}) or the single stage of psu/fpc/strata."""
    if "stages" not in spec:
        return (Stage(spec.get("psu"), spec.get("fpc"), spec.get("strata")),)
    given = spec["stages"]
    if spec.get("psu") is not None or spec.get("fpc") is not None:
        raise _fail(where, "design.stages", "psu/fpc", "psu and fpc inside stages only",
                    hint="With stages, write the first stage's psu and fpc as stages[0].")
    if not isinstance(given, list) or not given:
        raise _fail(where, "design.stages", given, "a list of {psu: COLUMN, fpc: COLUMN}, one "
                    "per sampling stage, first stage first")
    stages = []
    for number, item in enumerate(given, start=1):
        key = f"design.stages[{number - 1}]"
        if not isinstance(item, dict) or set(item) - {"psu", "fpc", "strata"}:
            raise _fail(where, key, item, "a mapping with psu, fpc and (below stage 1) strata")
        if item.get("psu") is None and number < len(given):
            raise _fail(where, key + ".psu", None, "the unit column of this stage",
                        hint="Only the last stage may leave psu out (its units are the rows).")
        strata = item.get("strata")
        if number == 1:
            if strata is not None and spec.get("strata") not in (None, strata):
                raise _fail(where, key + ".strata", strata, f"design.strata ({spec['strata']})")
            strata = strata or spec.get("strata")
        stages.append(Stage(item.get("psu"), item.get("fpc"), strata))
    with_fpc = [s.fpc is not None for s in stages]
    if any(with_fpc) and not all(with_fpc):
        raise _fail(where, "design.stages", "fpc on some stages",
                    "an fpc on every stage or on none",
                    hint="As R's svydesign(id = ~a + b, fpc = ~f1 + f2). Without fpc the variance "
                         "is the first stage's (ultimate cluster, with replacement).")
    return tuple(stages)


_SCALES = {"brr": 1.0, "fay": None, "jk1": None, "jkn": 1.0, "bootstrap": None, "sdr": 4.0}


def _replicates(where: str, spec: Any) -> Replicates:
    if not isinstance(spec, dict) or "weights" not in spec or "method" not in spec:
        raise _fail(where, "design.replicate", spec, "a mapping with weights: [...] and method:")
    method = str(spec["method"]).lower()
    if method not in REPLICATE_METHODS:
        raise _fail(where, "design.replicate.method", method, ", ".join(REPLICATE_METHODS))
    weights = spec["weights"]
    if isinstance(weights, str):
        weights = [weights]
    weights = tuple(str(w) for w in weights)
    count = len(weights)
    if "scale" in spec:
        scale = float(spec["scale"])
    elif method == "brr":
        scale = 1.0 / count
    elif method == "fay":
        rho = float(spec.get("rho", 0.5))
        scale = 1.0 / (count * (1 - rho) ** 2)
    elif method == "jk1":
        scale = (count - 1) / count
    elif method == "bootstrap":
        scale = None  # R's: nbar / ((nbar - 1) (R - 1)), nbar = PSUs per stratum (harmonic mean)
    elif method == "sdr":
        scale = 4.0 / count
    else:
        scale = 1.0
    rscales = spec.get("rscales")
    if method == "jkn" and rscales is None:
        raise _fail(where, "design.replicate.rscales", None,
                    "one (n_h - 1)/n_h factor per replicate for method jkn")
    rscales = tuple(float(r) for r in (rscales or [1.0] * count))
    if len(rscales) != count:
        raise _fail(where, "design.replicate.rscales", len(rscales), f"{count} factors")
    # R's default for bootstrap replicates (as.svrepdesign, svrVar with mse = FALSE) centres on
    # the replicates' mean; the other methods centre on the full-sample estimate
    centre = str(spec.get("centre", "mean" if method == "bootstrap" else "full"))
    if centre not in ("full", "mean"):
        raise _fail(where, "design.replicate.centre", centre, "full or mean")
    return Replicates(weights, method, scale, rscales, centre)


def load_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file."""
    path = Path(path)
    if not path.exists():
        raise InputError.one(str(path), "an existing mapping file (YAML)",
                             hint="See docs/survey.md for the format and docs/examples/.")
    try:
        data = read_yaml(path, hint="See docs/survey.md for the format and docs/examples/.")
    except yaml.YAMLError as error:
        raise InputError.one(str(path), "valid YAML", hint=str(error)) from error
    return parse(data, path)
