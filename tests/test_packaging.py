"""The wheel is the product: every library the package imports is a declared runtime dependency,
and every data file under src/corridors is package data. (scripts/wheel_smoke.sh, run by CI,
builds the wheel and uses it alone in a fresh venv.)"""

from __future__ import annotations

import ast
import fnmatch
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "corridors"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

#: optional engines, imported only inside the function that needs them (an extra installs them)
EXTRAS = {"pyspark": "spark"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _imports() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                     else [])
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "corridors":
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_imported_library_is_a_declared_dependency():
    declared = {_name(r) for r in PROJECT["project"]["dependencies"]}
    extras = PROJECT["project"]["optional-dependencies"]
    dists = packages_distributions()
    undeclared = {}
    for module, files in _imports().items():
        names = {d.lower().replace("_", "-") for d in dists.get(module, [module])}
        if names & declared:
            continue
        if module in EXTRAS and names & {_name(r) for r in extras[EXTRAS[module]]}:
            continue
        undeclared[module] = sorted(files)
    assert undeclared == {}


def test_every_data_file_is_package_data():
    globs = PROJECT["tool"]["setuptools"]["package-data"]["corridors"]
    data = [p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc")]
    missing = [d for d in data if not any(fnmatch.fnmatch(d, g) or fnmatch.fnmatch(d, g.replace("**/", ""))
                                          for g in globs)]
    assert "store/schema.sql" in data and "reference/rec_membership.csv" in data
    assert missing == []
