"""``corridors survey``: labour-migration indicators with standard errors from your own microdata."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from corridors.cli._observatory import observatory
from corridors.cli._output import Format, commands, console_err, emit
from corridors.errors import CorridorsError
from corridors.settings import override

if TYPE_CHECKING:
    import polars as pl

    from corridors.survey import estimator as est
    from corridors.survey.mapping import Reliability

ORDER = 70
CI_NOTE = {
    "wald": "estimate +/- 1.96 SE",
    "t": "estimate +/- t(0.975, df) SE",
    "logit": "proportions: expit(logit(p) +/- t(0.975, df) SE_logit) as R's svyciprop; "
             "other estimates: t",
    "beta": "proportions: Korn-Graubard beta interval as R's svyciprop(method = 'beta'); "
            "other estimates: t",
}

survey_app = commands(
    help=(
        "Survey and census microdata -> ICLS-2018 labour-migration indicators with design-based "
        "standard errors, CVs, 95 % confidence intervals and disclosure control. "
        "See docs/survey.md for the mapping file."
    ),
    no_args_is_help=True,
)


class SurveyFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


class EngineName(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


SPARK_MASTER = typer.Option(
    None, "--spark-master", metavar="URL",
    help="Where Spark runs (implies --engine spark): local[N], spark://HOST:PORT (standalone "
         "cluster), sc://HOST:PORT (Spark Connect), yarn, k8s://URL. Default: "
         "CORRIDORS_SPARK_MASTER, else spark-submit's master, else local[2].")


def _engine(engine: EngineName | None, spark_master: str | None) -> str | None:
    """The engine name for ``prepare``; ``--spark-master`` goes to the settings (checked there)."""
    if spark_master:
        if engine is EngineName.duckdb:
            raise CorridorsError("--spark-master is for the Spark engine: drop --engine duckdb")
        override(spark_master=spark_master)
        return EngineName.spark.value
    return engine.value if engine else None


class Interval(StrEnum):
    wald = "wald"
    t = "t"
    logit = "logit"
    beta = "beta"


def _quantiles(text: str) -> list[est.Measure]:
    """``VAR:P[,P...]``, e.g. ``income:0.5`` or ``income:0.25,0.5,0.75``."""
    from corridors.survey import estimator as est

    var, _, probs = text.rpartition(":")
    hint = "write VAR:P, e.g. income:0.5 or income:0.25,0.5,0.75"
    if not var.strip() or not probs.strip():
        raise CorridorsError(f"--quantile {text!r}: {hint}")
    out = []
    for part in probs.split(","):
        try:
            p = float(part)
        except ValueError:
            raise CorridorsError(f"--quantile {text!r}: {part!r} is not a probability; "
                                 f"{hint}") from None
        if not 0 < p < 1:
            raise CorridorsError(f"--quantile {text!r}: probabilities lie strictly between 0 "
                                 f"and 1 (got {part.strip()}); {hint}")
        out.append(est.quantile(var.strip(), p))
    return out


def _ratio(text: str) -> est.Measure:
    from corridors.survey import estimator as est

    if text.count(":") != 1:
        raise CorridorsError(f"--ratio {text!r}: write NUMERATOR:DENOMINATOR, e.g. "
                             "unemployed:in_labour_force")
    num, den = (part.strip() for part in text.split(":"))
    return est.ratio(num, den, name=f"ratio({num}/{den})")


def _write_xlsx(frame: pl.DataFrame, path: Path, about: dict[str, str]) -> None:
    import xlsxwriter

    from corridors.outputs import replacing
    from corridors.spreadsheets import WORKBOOK_OPTIONS, write_cell, write_frame

    with replacing(path) as tmp, xlsxwriter.Workbook(str(tmp), WORKBOOK_OPTIONS) as book:
        write_frame(frame, book, "estimates", autofit=True, float_precision=6)
        sheet = book.add_worksheet("about")
        for row, (key, value) in enumerate(about.items()):
            write_cell(sheet, row, 0, key)
            write_cell(sheet, row, 1, value)


@survey_app.command("estimate")
def estimate_command(
    data: Path = typer.Argument(..., help="Microdata file: .csv, .parquet, .dta (Stata) or .sav "
                                          "(SPSS)."),
    mapping: Path = typer.Option(..., "--mapping", "-m",
                                 help="YAML mapping file: design and variables (docs/survey.md)."),
    total: list[str] = typer.Option([], "--total", help="Estimate the total of VAR "
                                    "(a column, variable or expression). Repeatable."),
    mean: list[str] = typer.Option([], "--mean", help="Estimate the mean of VAR (a proportion "
                                   "when VAR is 0/1). Repeatable."),
    ratio: list[str] = typer.Option([], "--ratio", help="Estimate the ratio NUM:DEN, e.g. "
                                    "unemployed:in_labour_force. Repeatable."),
    quantile: list[str] = typer.Option([], "--quantile", help="Estimate quantiles of VAR: "
                                       "VAR:P[,P...], e.g. income:0.5 (median) or "
                                       "income:0.25,0.5,0.75; SE and CI as R's svyquantile "
                                       "(Woodruff). Repeatable."),
    indicators: str | None = typer.Option(None, "--indicators",
                                          help="'icls': every ICLS-2018 indicator the survey "
                                               "supports (see `corridors survey indicators`)."),
    by: list[str] = typer.Option([], "--by", help="Domain variable; several --by are "
                                 "cross-classified."),
    where: str | None = typer.Option(None, "--where", help="Subpopulation as a row condition, "
                                     "e.g. \"age >= 15 AND sex = 'female'\". Treated as a domain: "
                                     "other rows keep their PSUs, so SEs stay design-based."),
    engine: EngineName | None = typer.Option(None, "--engine", help="duckdb (default, embedded) "
                                             "or spark; default from CORRIDORS_ENGINE."),
    spark_master: str | None = SPARK_MASTER,
    ci: Interval = typer.Option(Interval.logit, "--ci", help="95 % interval: logit (default: "
                                "R's svyciprop default for proportions, t for the rest), beta "
                                "(Korn-Graubard for proportions, t for the rest), t (estimate "
                                "+/- t(df) SE) or wald (+/- 1.96 SE). df = the design's degrees "
                                "of freedom, in the output."),
    fmt: SurveyFormat = typer.Option(SurveyFormat.table, "--format", "-f", help="Output format."),
    output: Path | None = typer.Option(None, "--output", "-o",
                                       help="File for --format xlsx (default "
                                            "<survey id>_estimates.xlsx)."),
    no_suppress: bool = typer.Option(False, "--no-suppress", help="Show every cell (flags stay); "
                                     "for analysts, not for publication."),
    min_n: int | None = typer.Option(None, "--min-n", help="Suppress cells with fewer sample "
                                     "persons (default from the mapping, else 30)."),
    cv_suppress: float | None = typer.Option(None, "--cv-suppress",
                                             help="Suppress cells with a larger CV (default "
                                                  "0.333)."),
    save: bool = typer.Option(False, "--save", help="Also write the estimates to the store "
                              "(table survey_estimates, dataset = the mapping's survey id)."),
) -> None:
    """Design-based estimates (Taylor linearisation or replicate weights) with SE, CV, 95 % CI,
    design degrees of freedom, unweighted n and a reliability flag per domain; quantiles with
    Woodruff intervals.

    Example: corridors survey estimate eph.csv --mapping docs/examples/eph_2016q4.yaml
    --mean foreign_born --by sex --format json
    """
    import polars as pl

    from corridors.survey import estimator as est
    from corridors.survey import expression
    from corridors.survey.indicators import icls
    from corridors.survey.mapping import Reliability

    measures = ([est.total(v) for v in total] + [est.mean(v) for v in mean]
                + [_ratio(r) for r in ratio] + [m for q in quantile for m in _quantiles(q)])
    if indicators is not None and indicators.lower() != "icls":
        raise CorridorsError(f"--indicators {indicators!r}: the only set is 'icls'")
    parts = [p for r in ratio for p in r.split(":", 1)]
    for text in [where, *total, *mean, *parts, *(m.y for m in measures if m.kind == "quantile")]:
        if text and not expression.bare_name(text):
            expression.tokens(text)
    if not measures and indicators is None:
        raise CorridorsError("nothing to estimate: give --total VAR, --mean VAR, --ratio NUM:DEN, "
                             "--quantile VAR:P or --indicators icls")
    with console_err.status("reading the microdata and checking codes") as status:
        def say(text: str) -> None:
            status.update(text)
            console_err.print(f"[dim]{text}[/]", highlight=False)

        prep = est.prepare(data, mapping, _engine(engine, spark_master))
        base = prep.mapping.reliability
        rel = Reliability(min_n=min_n if min_n is not None else base.min_n,
                          cv_caution=base.cv_caution,
                          cv_suppress=cv_suppress if cv_suppress is not None else base.cv_suppress,
                          suppress=base.suppress and not no_suppress)
        prep.mapping = _with_reliability(prep.mapping, rel)
        frames = []
        if measures:
            say(f"estimating {len(measures)} measure(s) on {prep.engine.name}")
            frames.append(est.estimate_prepared(prep, measures, by, where, progress=say,
                                                ci=ci.value))
        if indicators is not None:
            frame = icls(prep, extra_by=tuple(by), where=where, progress=say, ci=ci.value)
            frames.append(frame.rename({"indicator": "measure"}))
    result = pl.concat(frames, how="diagonal_relaxed") if len(frames) > 1 else frames[0]
    suppressed = result.filter(pl.col("flag") == "suppressed").height
    caption = (f"{prep.mapping.title} - {prep.data.name}; {suppressed} of {result.height} cells "
               f"suppressed (n < {rel.min_n} or CV > {rel.cv_suppress:.1%})"
               if rel.suppress else f"{prep.mapping.title} - {prep.data.name}; no suppression")
    note = prep.design_info.lonely_note() if prep.design_info else None
    if note:
        caption += f"; single-PSU strata, lonely_psu {note}"
    if save:
        from corridors.settings import settings
        from corridors.store import lifecycle
        from corridors.survey.store import write_estimates

        # a copy is written and swapped in under the store's writer lock: a running server keeps
        # answering and a build running meanwhile is waited for, so the save is never lost
        written = lifecycle.save(settings().store_path, lambda con: write_estimates(con, result, prep))
        console_err.print(f"saved {written} estimates to the store as dataset "
                          f"{prep.mapping.survey_id!r}")
    if fmt is SurveyFormat.xlsx:
        target = output or Path(f"{prep.mapping.survey_id}_estimates.xlsx")
        _write_xlsx(result, target, {
            "survey": prep.mapping.title, "file": str(prep.data.path),
            "sha256": prep.data.sha256(), "mapping": str(mapping), "engine": prep.engine.name,
            "variance": _variance_text(prep), "lonely_psu": note or "none",
            "ci": f"95 %, --ci {ci.value}: " + CI_NOTE[ci.value] + "; quantiles: Woodruff "
                  "(R's svyquantile); df = design degrees of freedom (R's degf)",
            "suppression": caption,
        })
        console_err.print(f"wrote {result.height} estimates to {target}")
        return
    emit(result, Format(fmt.value), title="Survey estimates", caption=caption)


def _variance_text(prep: est.Prepared) -> str:
    """How the SEs were computed, for the workbook's about sheet."""
    design = prep.mapping.design
    if design.replicates:
        return f"replicate weights ({design.replicates.method})"
    info = prep.design_info
    stages = info.stages if info else 1
    if stages > 1:
        text = f"Taylor linearisation, {stages} stages (each stage's variance, with fpc)"
    else:
        text = ("Taylor linearisation, ultimate cluster (PSUs with replacement within strata "
                "unless fpc given)")
    return text + ("; PPS without replacement, Brewer's approximation" if design.pps else "")


def _with_reliability(mapping, rel: Reliability):
    from dataclasses import replace

    return replace(mapping, reliability=rel)


@survey_app.command("reconcile")
def reconcile_command(
    data: Path = typer.Argument(..., help="Microdata file (.csv, .parquet, .dta, .sav)."),
    mapping: Path = typer.Option(..., "--mapping", "-m", help="YAML mapping file; needs "
                                 "survey.country, survey.year and variables.birth_country."),
    edition: str = typer.Option(None, "--edition", help="UN DESA edition to compare with "
                                "(default: the newest in the store)."),
    engine: EngineName | None = typer.Option(None, "--engine", help="duckdb or spark."),
    spark_master: str | None = SPARK_MASTER,
    fmt: SurveyFormat = typer.Option(SurveyFormat.table, "--format", "-f", help="Output format."),
) -> None:
    """The survey's foreign-born total and share (with 95 % CI) beside the UN DESA international
    migrant stock for the same country and year (interpolated between published years)."""
    import polars as pl

    from corridors.survey import estimator as est
    from corridors.survey.reconcile import reconcile

    with console_err.status("estimating the foreign-born population"):
        prep = est.prepare(data, mapping, _engine(engine, spark_master))
        if not prep.mapping.country or not prep.mapping.year:
            raise CorridorsError(f"{mapping}: set survey.country and survey.year to reconcile")
        measures = [est.total("foreign_born"), est.mean("foreign_born")]
        frame = pl.concat([est.estimate_prepared(prep, measures, []),
                           est.estimate_prepared(prep, measures, ["sex"])], how="diagonal")
    obs = observatory()
    con = obs.con
    try:
        edition = obs.select(edition).edition
        table = reconcile(con, frame, iso3=prep.mapping.country, year=prep.mapping.year,
                          edition=edition)
    finally:
        con.close()
    emit(table, Format(fmt.value if fmt is not SurveyFormat.xlsx else "table"),
         title=f"{prep.mapping.title} beside UN DESA {edition}",
         caption="UN figure interpolated linearly between published years; shares use the "
                 "edition's population.")


@survey_app.command("indicators")
def indicators_command(
    fmt: SurveyFormat = typer.Option(SurveyFormat.table, "--format", "-f", help="Output format."),
) -> None:
    """List the ICLS-2018 indicators `--indicators icls` produces, with their definitions."""
    from corridors.survey.indicators import INDICATORS

    rows = [{"indicator": i.id, "title": i.title, "kind": i.measure.kind,
             "needs": ", ".join(i.needs),
             "domains": "; ".join(" x ".join(d) or "all" for d in i.domains),
             "definition": i.definition} for i in INDICATORS]
    emit(rows, Format(fmt.value if fmt is not SurveyFormat.xlsx else "table"))


def register(app: typer.Typer) -> None:
    app.add_typer(survey_app, name="survey")
