"""The mapping file and row expressions: bad input stops with what to fix."""

from __future__ import annotations

import pytest

from corridors.errors import InputError
from corridors.survey import expression
from corridors.survey.estimator import estimate, mean
from corridors.survey.mapping import load_mapping, parse


def quote(name: str) -> str:
    return f'"{name}"'


@pytest.mark.parametrize("text", [
    "age > 1; DROP TABLE microdata", "age > 1 -- comment", "age /* x */ > 1",
    "age IN (SELECT 1)", "read_csv('/etc/passwd') IS NULL", "age > 1)", "\"ag\"\"e\" > 1",
    "`age; DROP` > 1", "\"api.stu\" > 1",
])
def test_statements_subqueries_and_functions_outside_the_list_are_refused(text):
    with pytest.raises(expression.ExpressionError):
        expression.render(text, ["age", "sex"], quote)


def test_a_row_condition_is_rendered_with_quoted_columns():
    out = expression.render("AGE >= 15 and sex != 'it''s' AND coalesce(age, 0) < 99",
                            ["age", "sex"], quote, lambda s: "'" + s.replace("'", "''") + "'")
    assert out == ("\"age\" >= 15 AND \"sex\" <> 'it''s' AND COALESCE ( \"age\" , 0 ) < 99")


def test_any_column_name_is_usable_quoted_or_alone():
    """A name that is not an identifier (R's api.stu) is written in double quotes or backticks,
    or alone as the whole expression; it must still be a column of the data."""
    columns = ["api.stu", "sch wide", "age"]
    assert expression.render('"api.stu" > 100 AND `sch wide` = \'Yes\'', columns, quote) == (
        "\"api.stu\" > 100 AND \"sch wide\" = 'Yes'")
    assert expression.render("API.stu", columns, quote) == "\"api.stu\""
    assert expression.render('"API.STU" / age', columns, lambda n: f"`{n}`") == "`api.stu` / `age`"
    assert expression.names('"api.stu" + age') == {"api.stu", "age"}
    with pytest.raises(expression.ExpressionError, match="unknown column 'api.stv'"):
        expression.render('"api.stv" > 1', columns, quote)
    with pytest.raises(expression.ExpressionError, match="double quotes"):
        expression.tokens("api.stu > 1")


def test_country_maps_must_point_at_iso3_codes(tmp_path):
    with pytest.raises(InputError, match="ISO3"):
        parse({"design": {"weight": "w"},
               "variables": {"birth_country": {"column": "c", "map": {"CHI": "Chile!"}}}})
    with pytest.raises(InputError, match="male"):
        parse({"design": {"weight": "w"},
               "variables": {"sex": {"column": "s", "map": {1: "man"}}}})
    with pytest.raises(InputError, match="design"):
        parse({"design": {"weight": "w", "cluster": "x"}})
    with pytest.raises(InputError, match="weight"):
        parse({"design": {"strata": "h"}})
    path = tmp_path / "m.yaml"
    path.write_text("design: [unclosed", encoding="utf-8")
    with pytest.raises(InputError, match="YAML"):
        load_mapping(path)


def test_survey_country_accepts_any_code_and_replicates_need_scales():
    mapping = parse({"survey": {"country": "Argentina"}, "design": {"weight": "w"}})
    assert mapping.country == "ARG"
    with pytest.raises(InputError, match="rscales"):
        parse({"design": {"replicate": {"weights": ["r1", "r2"], "method": "jkn"}}})
    fay = parse({"design": {"replicate": {"weights": ["r1", "r2", "r3", "r4"], "method": "fay",
                                          "rho": 0.5}}})
    assert fay.design.replicates.scale == pytest.approx(1 / (4 * 0.25))


def test_design_column_typo_names_the_file_and_columns(survey_oracles, write_mapping):
    mapping = write_mapping({"design": {"weight": "pww", "strata": "stype"}})
    with pytest.raises(InputError) as caught:
        estimate(survey_oracles / "api_strat.csv", mapping, [mean("api00")])
    assert "pww" in str(caught.value) and "api_strat.csv" in str(caught.value)


def test_negative_weights_are_refused(tmp_path, write_mapping):
    path = tmp_path / "neg.csv"
    path.write_text("w,y\n1,2\n-1,3\n", encoding="utf-8")
    with pytest.raises(InputError, match="weight >= 0"):
        estimate(path, write_mapping({"design": {"weight": "w"}}), [mean("y")])


@pytest.mark.parametrize(("design", "message"), [
    ({"weight": "w", "stages": [{"psu": "a", "fpc": "f1"}, {"psu": "b"}]}, "every stage or on none"),
    ({"weight": "w", "psu": "a", "stages": [{"psu": "a"}]}, "inside stages only"),
    ({"weight": "w", "stages": [{"fpc": "f1"}, {"psu": "b"}]}, "unit column of this stage"),
    ({"weight": "w", "stages": "a"}, "one per sampling stage"),
    ({"weight": "w", "stages": [{"psu": "a", "cluster": "b"}]}, "psu, fpc and"),
    ({"weight": "w", "psu": "a", "lonely_psu": "collapse"}, "adjust | average"),
    ({"weight": "w", "psu": "a", "pps": "sampford"}, "brewer"),
    ({"weight": "w", "pps": "brewer", "replicate": {"weights": ["r1"], "method": "jk1"}},
     "replicate weights alone"),
])
def test_design_declarations_that_cannot_be_right_are_refused(design, message):
    with pytest.raises(InputError, match=message):
        parse({"design": design})


def test_single_stage_mapping_is_the_one_stage_case():
    one = parse({"design": {"weight": "w", "strata": "h", "psu": "a", "fpc": "n"}}).design
    staged = parse({"design": {"weight": "w", "strata": "h",
                               "stages": [{"psu": "a", "fpc": "n"}]}}).design
    assert one.stages == staged.stages and len(one.stages) == 1
    assert one.stages[0].strata == "h" and one.columns == ["w", "h", "a", "n"]


def test_bootstrap_replicates_default_to_r_scale_and_centre():
    reps = parse({"design": {"weight": "w", "replicate": {
        "weights": ["r1", "r2"], "method": "bootstrap"}}}).design.replicates
    assert reps.scale is None and reps.centre == "mean"  # scale from the data's PSUs per stratum
    reps = parse({"design": {"weight": "w", "replicate": {
        "weights": ["r1", "r2"], "method": "bootstrap", "scale": 0.5, "centre": "full"}}}
    ).design.replicates
    assert reps.scale == 0.5 and reps.centre == "full"
