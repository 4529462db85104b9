"""docs/survey.md cannot drift: every indicator and command is documented, examples load."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridors.survey.indicators import INDICATORS
from corridors.survey.mapping import load_mapping

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_indicator_and_its_definition_is_documented():
    text = (DOCS / "survey.md").read_text(encoding="utf-8")
    for indicator in INDICATORS:
        assert f"`{indicator.id}`" in text, indicator.id
        assert indicator.definition in text, indicator.id
    for command in ("survey estimate", "survey reconcile", "survey indicators", "--where",
                    "--engine", "--save", "--no-suppress", "lonely_psu", "replicate", "keep"):
        assert command in text, command


@pytest.mark.parametrize("name", ["eph_2016q4.yaml", "casen_2017.yaml"])
def test_example_mappings_load(name):
    mapping = load_mapping(DOCS / "examples" / name)
    assert mapping.country in ("ARG", "CHL") and mapping.design.weight


def _design_section() -> str:
    text = (DOCS / "survey.md").read_text(encoding="utf-8")
    return text[text.index("## Sampling designs"):text.index("## Engines")]


def test_every_design_option_is_documented():
    section = _design_section()
    for option in ("design.stages", "design.lonely_psu", "design.pps: brewer", "`fail`",
                   "`certainty`", "`remove`", "`adjust`", "`average`"):
        assert option in section, option
    text = (DOCS / "survey.md").read_text(encoding="utf-8")
    assert "nbar / ((nbar - 1) (R - 1))" in text  # the bootstrap scale


def test_design_examples_parse_and_the_three_stage_example_runs(tmp_path):
    """Every YAML block of the designs section is a valid mapping; the three-stage one runs on the
    committed constructed sample, as the docs' command does."""
    import re

    import yaml

    from corridors.survey.estimator import estimate, mean, total
    from corridors.survey.mapping import parse

    blocks = re.findall(r"```yaml\n(.*?)```", _design_section(), flags=re.S)
    assert len(blocks) >= 3
    for block in blocks:
        parse(yaml.safe_load(block))
    path = tmp_path / "three_stage.yaml"
    path.write_text(blocks[0], encoding="utf-8")
    data = DOCS.parent / "tests" / "survey" / "r" / "three_stage.csv"
    out = estimate(data, path, [mean("income"), total("poor")], by=["sex"])
    assert out.height == 4 and out["se"].is_not_null().all()
    assert out["lonely_psu"][0].startswith("adjust: stage 1 stratum F")
