"""docs/flows.md cannot drift: every `corridors flows` command is documented, the lens examples run
on the store built from the mirror, and the lens figures quoted are the store's."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from corridors import settings as settings_module
from corridors.cli.main import app

DOCS = Path(__file__).parents[3] / "docs" / "flows.md"
LENSES = ("wb-lmic", "wb-non-high", "un-developing", "gfmd-2018")
runner = CliRunner()


def _section(text: str) -> str:
    return text[text.index("### Under the lenses"):text.index("### Saved flows or estimated now")]


def test_docs_mention_every_flows_command():
    from corridors.cli import flows, main  # noqa: F401 - main registers the subcommands

    names = {c.name for c in flows.flows_app.registered_commands}
    assert {"estimate", "corridor", "regions", "lenses"} <= names
    text = DOCS.read_text(encoding="utf-8")
    for name in names:
        assert f"corridors flows {name}" in text


@pytest.mark.mirror
def test_lens_examples_run_and_quoted_figures_are_the_store_s(built_home: Path):
    section = _section(DOCS.read_text(encoding="utf-8"))
    examples = [line.strip() for block in re.findall(r"```bash\n(.*?)```", section, flags=re.S)
                for line in block.splitlines() if line.strip().startswith("corridors ")]
    assert len(examples) == 4
    outputs = {}
    for line in examples:
        result = runner.invoke(app, ["--home", str(built_home), *shlex.split(line)[1:]])
        settings_module.reset()
        assert result.exit_code == 0, f"{line}\n{result.output}\n{result.exception!r}"
        outputs[line] = result.stdout
    frame = pl.read_csv(io.StringIO(outputs["corridors flows lenses --format csv"]))
    both = frame.filter(pl.col("sex") == "both")
    table_2015 = section[section.index("| category |"):section.index("South–South flows per period")]
    for row in both.filter(pl.col("period_start") == 2015).iter_rows(named=True):
        cell = f"{round(row['value']):,} ({row['share'] * 100:.1f} %)"
        line = next(x for x in table_2015.splitlines() if x.startswith(f"| {row['category']} |"))
        cells = [c.strip() for c in line.strip("|").split("|")][1:]
        assert cells[LENSES.index(row["lens"])] == cell, (row, line)
    per_period = section[section.index("| period |"):]
    for row in both.filter(pl.col("category") == "south-south").iter_rows(named=True):
        start = row["period_start"]
        line = next(x for x in per_period.splitlines() if x.startswith(f"| {start}–{start + 5} |"))
        cells = [c.strip() for c in line.strip("|").split("|")][1:]
        assert cells[LENSES.index(row["lens"])] == (
            f"{row['value'] / 1e6:.2f} M ({row['share'] * 100:.1f} %)"), (row, line)
    first = both.filter((pl.col("period_start") == 1990) & (pl.col("lens") == "wb-lmic"))
    shares = dict(zip(first["category"], first["share"], strict=True))
    prose = " ".join(section.split())
    assert f"{shares['unclassified'] * 100:.1f} % of all flows are `unclassified`" in prose
    classified = first.filter(pl.col("category") == "south-south")["classified_share"][0]
    assert f"{classified * 100:.1f} % are South–South under `wb-lmic`" in prose


def test_own_matrix_examples_run_and_give_the_quoted_answers(tmp_path, monkeypatch):
    """The bash examples of "Auxiliary information" and "Your own matrices" run as written: files
    are made by the shell lines, each `corridors` command by the CLI; the totals the text quotes
    (ffs_demo e5 and e6) are the answers."""
    import json
    import subprocess

    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("### Auxiliary information"):text.index("A bad file stops")]
    script = "\n".join(re.findall(r"```bash\n(.*?)```", section, flags=re.S)).replace("\\\n", " ")
    commands = [line.strip() for line in script.splitlines() if line.strip().startswith("corridors ")]
    setup = "\n".join(line for line in script.splitlines() if not line.strip().startswith("corridors "))
    subprocess.run(["bash", "-e", "-c", setup], cwd=tmp_path, check=True)
    monkeypatch.chdir(tmp_path)
    assert len(commands) == 5
    outputs = []
    for line in commands:
        result = runner.invoke(app, shlex.split(line)[1:])
        assert result.exit_code == 0, f"{line}\n{result.output}\n{result.exception!r}"
        outputs.append(result.stdout)
    assert "total 127.69" in " ".join(outputs[0].split())
    imr = json.loads(outputs[-1])
    assert imr["total"] == pytest.approx(74.2147146665, abs=1e-6)
    assert "74.2147" in text and imr["notes"]["seed"].startswith("not used")
    assert [(e["place"], e["births"], e["native_born_end"]) for e in imr["excess_births"]] == [
        ("B", 50.0, 45.0)]
