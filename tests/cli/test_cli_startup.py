"""The CLI starts instantly because `corridors --help` and a quick query load no heavy library.

Not a timing test (bench/bench_cli.py measures): each case runs the real entry point in a fresh
Python process and lists the heavy modules that process imported, so a module-level import of
polars, pandas, fastapi, ... in a command module (or in what the quick query calls) fails here.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "ssm_store", Path(__file__).parents[1] / "analytics" / "ssm_store.py")
ssm_store = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ssm_store)

#: Loaded only by the commands that use them.
HEAVY = ("polars", "pandas", "pyarrow", "numpy", "fastapi", "uvicorn", "starlette", "scipy",
         "pyspark", "xlsxwriter", "python_calamine", "httpx", "jinja2", "yaml", "pyreadstat")

_PROBE = """
import json, sys
from corridors.cli.main import main
sys.argv = ["corridors", *sys.argv[1:]]
try:
    main()
except SystemExit as exit:
    code = exit.code
else:
    code = 0
loaded = sorted({name.split(".")[0] for name in sys.modules})
sys.stderr.write("LOADED" + json.dumps({"code": code, "modules": loaded}) + "\\n")
"""


def loaded_by(*args: str, home: Path | None = None) -> tuple[set[str], str]:
    """Run `corridors ARGS` through its entry point in a new process; the top-level modules it
    imported, and its output."""
    env = {**os.environ, "COLUMNS": "80"}
    if home is not None:
        env["CORRIDORS_HOME"] = str(home)
    proc = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True,
                          env=env, timeout=120)
    line = next(x for x in proc.stderr.splitlines() if x.startswith("LOADED"))
    report = json.loads(line[len("LOADED"):])
    assert report["code"] in (0, None), proc.stderr
    return set(report["modules"]), proc.stdout


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("startup-home")
    ssm_store.build(home / "corridors.duckdb")
    return home


@pytest.mark.parametrize("args", [("--help",), ("--version",), ("stock", "--help"),
                                  ("ssm", "--help"), ("flows", "estimate", "--help"),
                                  ("survey", "--help")])
def test_help_loads_no_data_library(args):
    modules, out = loaded_by(*args)
    assert out.strip()
    assert modules.isdisjoint((*HEAVY, "duckdb")), sorted(modules & {*HEAVY, "duckdb"})


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_one_stock_figure_loads_only_duckdb(home, fmt):
    from corridors.analytics.stocks import stock_rows
    from corridors.store import connect

    con = connect(home / "corridors.duckdb")
    (expected,) = stock_rows(con, None, "KEN", 2020, "female")
    con.close()
    modules, out = loaded_by("stock", "--destination", "KEN", "--year", "2020", "--sex", "female",
                             "--format", fmt, home=home)
    assert "duckdb" in modules
    assert modules.isdisjoint(HEAVY), sorted(modules & set(HEAVY))
    if fmt == "json":
        assert json.loads(out) == [expected]
    else:
        assert f"{expected['value']:,}" in out and "KEN" in out


def test_a_command_that_needs_polars_still_gets_it(home):
    modules, out = loaded_by("ssm", "summary", "--lens", "wb-lmic", "--year", "2020", "--format",
                             "json", home=home)
    assert "polars" in modules
    assert json.loads(out)[0]["category"] == "south-south"


def _module_of(info) -> str:
    instance = getattr(info, "typer_instance", None)
    if instance is not None:  # a group: the module of its commands
        info = instance.registered_commands[0]
    return info.callback.__module__.rsplit(".", 1)[-1]


def test_the_command_table_names_the_module_of_every_command():
    from corridors.cli.main import COMMANDS, build_app, command_name

    full = build_app()
    registered = {(info.name or info.callback.__name__): _module_of(info)
                  for info in [*full.registered_commands, *full.registered_groups]}
    assert registered == COMMANDS
    # `corridors COMMAND` builds only that module's commands, and they are the same
    for name, module in COMMANDS.items():
        alone = build_app(name)
        names = {info.name for info in [*alone.registered_commands, *alone.registered_groups]}
        assert name in names and set(names) == {n for n, m in COMMANDS.items() if m == module}
    assert command_name(["--home", "/tmp/x", "--mirror", "m", "stock", "--year", "2020"]) == "stock"
    assert command_name(["--help"]) is None
