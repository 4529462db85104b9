"""The Python API gives the same numbers as the analytics functions the CLI and API call."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from corridors import Observatory
from corridors import settings as settings_module
from corridors.analytics.stocks import stock


@pytest.fixture
def obs(built_home: Path):
    settings_module.use(settings_module.Settings(home=built_home))
    with Observatory(built_home / "corridors.duckdb") as observatory:
        yield observatory


def test_stock_and_frames(obs: Observatory):
    frame = obs.stock(origin="VEN", destination="COL", year=2020)
    assert frame["value"].item() == stock(obs.con, "VEN", "COL", 2020)["value"].item() > 1_000_000
    assert obs.stock(year=2020)["value"].item() == 280_598_105
    assert obs.stock(destination="KEN", year=2020).to_pandas()["value"].iloc[0] > 0
    assert obs.stock(destination="KEN").to_arrow().num_rows == 7
    assert obs.editions()[0] == "ims2020"


def test_lens_summaries_add_up_to_the_world_total(obs: Observatory):
    summary = obs.summary_by_category("wb-lmic", year=2020)
    assert set(summary["category"]) >= {"south-south", "south-north", "north-south", "north-north"}
    first = summary.row(0, named=True)
    assert summary["value"].sum() == first["classified_total"]
    assert first["classified_total"] + first["unclassified"] + first["unknown_origin"] == 280_598_105
    assert summary["share"].sum() == pytest.approx(1.0)
    share = obs.contiguity_share("wb-lmic", year=2020)["share_contiguous"].item()
    assert 0 < share < 1


def test_profiles_and_rankings(obs: Observatory):
    profile = obs.country_profile("KEN", year=2020)
    assert profile.immigrants == obs.stock(destination="KEN", year=2020)["value"].item()
    assert profile.emigrants == obs.stock(origin="KEN", year=2020)["value"].item()
    top = obs.top_corridors("wb-lmic", year=2020, n=5)
    assert top.height == 5 and top["stock"].is_sorted(descending=True)
    rec = obs.regional_shares("rec", year=2020)
    assert "ECOWAS" in rec["group"].to_list()


def test_flows_and_governance(obs: Observatory):
    flows = obs.corridor_flows("VEN", "COL")
    recent = flows.filter(pl.col("period_start") == 2015)
    assert recent["flow"].sum() > 1_000_000
    shares = obs.flows_by_category("wb-lmic")
    assert shares.filter(pl.col("sex") == "male").group_by("period_start").agg(
        pl.col("share").sum())["share"].to_list() == pytest.approx([1.0] * 6)
    card = obs.scorecard("AFG", "IRN", 2020)
    assert card is not None
    assert obs.weakest_coverage("wb-lmic", 2020, top=3) is not None


def test_provenance_for_every_source(obs: Observatory):
    sources = obs.sources()
    assert sources.filter(pl.col("sha256").is_null()).height == 0
    assert "ims2020-destination" in sources["source_id"].to_list()
