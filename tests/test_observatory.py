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
    assert "ECOWAS" in rec["group_code"].to_list()


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


def test_estimate_flows_from_your_own_matrices_needs_no_store(tmp_path: Path):
    # migest's ffs_demo e6 (Abel 2018, IMR supplementary example); expected cells and their
    # provenance: tests/analytics/flows/test_flows_ffs_demo.py
    s1 = [[100, 10, 10, 0], [20, 55, 25, 10], [10, 40, 140, 65], [20, 25, 20, 200]]
    s2 = [[75, 25, 5, 0], [20, 45, 30, 15], [30, 40, 150, 60], [30, 30, 20, 230]]
    result = Observatory.estimate_flows(s1, s2, [10, 50, 25, 60], [30, 10, 40, 10],
                                        places=["A", "B", "C", "D"])
    assert result.total == pytest.approx(74.2147146665, abs=1e-6)
    frame = result.frame()
    assert frame.filter((pl.col("origin") == "B") & (pl.col("destination") == "C"))["flow"].item() == \
        pytest.approx(18.08183234988, abs=1e-6)
    assert [(e["place"], e["excess"]) for e in result.excess_births] == [("B", 5.0)]
    # CSV files and a distance seed (Abel 2018's supplementary example) work the same way
    lines = ["born,A,B,C,D"] + [",".join([p, *map(str, row)]) for p, row in zip("ABCD", s1, strict=True)]
    (tmp_path / "s1.csv").write_text("\n".join(lines) + "\n")
    e1_end = [[70, 30, 10, 10], [25, 60, 10, 15], [10, 55, 140, 50], [40, 45, 0, 180]]
    lines = ["born,A,B,C,D"] + [",".join([p, *map(str, row)]) for p, row in zip("ABCD", e1_end, strict=True)]
    (tmp_path / "s2.csv").write_text("\n".join(lines) + "\n")
    distance = [[0, 5, 50, 500], [5, 0, 45, 495], [50, 45, 0, 450], [500, 495, 450, 0]]
    seeded = Observatory.estimate_flows(tmp_path / "s1.csv", tmp_path / "s2.csv", seed=distance)
    assert seeded.total == pytest.approx(100) and seeded.flows[2, 0] == pytest.approx(15)
    assert seeded.report()["notes"]["seed"].startswith("not used")


def test_one_default_selection_rule(obs: Observatory):
    from corridors.analytics.editions import NoDataError

    chosen = obs.select()
    assert chosen.edition == obs.default_edition() == obs.editions()[0] == "ims2020"
    assert chosen.years == (1990, 1995, 2000, 2005, 2010, 2015, 2020)
    assert (chosen.year, chosen.sex, chosen.lens) == (2020, "total", "wb-lmic")
    named = obs.select(edition="ims2019", year=2010, sex="female", lens="un-developing")
    assert (named.edition, named.year, named.sex, named.lens) == ("ims2019", 2010, "female", "un-developing")
    assert obs.select(edition="ims2015").year == 2015  # the edition's own latest year
    with pytest.raises(NoDataError, match="ims2020 has no year 2011; its years are 1990"):
        obs.select(year=2011)
    with pytest.raises(NoDataError, match="edition 'ims1999' is not in the store"):
        obs.select(edition="ims1999")


def test_every_interface_uses_the_default_selection(obs: Observatory, built_home: Path):
    """The CLI, the REST API and the web pages answer for the Observatory's default year when
    none is named (they used to decide it each on their own)."""
    import json

    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from corridors.api.main import create_app
    from corridors.cli.main import app

    chosen = obs.select()
    result = CliRunner().invoke(app, ["--home", str(built_home), "ssm", "summary", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert {r["year"] for r in json.loads(result.stdout)} == {chosen.year}
    with TestClient(create_app(built_home / "corridors.duckdb")) as client:
        profile = client.get("/api/v1/countries/KEN/profile").json()
        assert (profile["year"], profile["edition"]) == (chosen.year, chosen.edition)
        overview = client.get("/overview.json").json()
        assert (overview["year"], overview["edition"]) == (chosen.year, chosen.edition)
        groups = client.get("/api/v1/groupings/rec", params={"limit": 100}).json()["items"]
        assert [{k: g[k] for k in ("group", "members")} for g in groups] == [
            {"group": g["group"], "members": g["members"]} for g in obs.groups("rec")]
        assert obs.groups("rec") == obs.groups("rec", chosen.year)


def test_over_an_open_connection_leaves_it_open(obs: Observatory):
    other = Observatory.over(obs.con)
    assert other.select() == obs.select()
    other.close()
    assert obs.con.execute("SELECT 1").fetchone() == (1,)  # still the owner's
    records = obs.provenance(["ims2020-bilateral-long"])
    assert [r["source_id"] for r in records] == ["ims2020-bilateral-long"]
    assert len(records[0]["sha256"]) == 64 and records[0]["licence"]
