"""Docs that cannot drift: every command is in docs/cli.md, and every example there runs."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from corridors import settings as settings_module
from corridors.cli.main import app

DOCS = Path(__file__).parent.parent / "docs"


def _commands() -> list[str]:
    found = []

    def walk(command, path: list[str]) -> None:
        subs = getattr(command, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
        else:
            found.append(" ".join(path))

    walk(typer.main.get_command(app), ["corridors"])
    return sorted(found)


def _examples() -> list[str]:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            if line.startswith("corridors ") and "not run in tests" not in line:
                lines.append(line.split("  #")[0].strip())
    return lines


def test_every_command_is_documented():
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    missing = [c for c in _commands() if c != "corridors" and c not in text]
    assert missing == []


@pytest.mark.parametrize("line", _examples())
def test_every_example_runs(line: str, built_home: Path, tmp_path: Path):
    settings_module.use(settings_module.Settings(home=built_home))
    args = shlex.split(line)[1:]
    args = [str(tmp_path / Path(a).name) if a.startswith("/tmp/") else a for a in args]
    result = CliRunner().invoke(app, ["--home", str(built_home), *args])
    assert result.exit_code == 0, f"{line}\n{result.output}\n{result.exception!r}"
    assert result.output.strip()
