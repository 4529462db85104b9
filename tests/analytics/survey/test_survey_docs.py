"""docs/survey.md cannot drift: every indicator and command is documented, examples load."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridors.analytics.survey.indicators import INDICATORS
from corridors.analytics.survey.mapping import load_mapping

DOCS = Path(__file__).resolve().parents[3] / "docs"


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
