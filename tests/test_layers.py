"""Imports run one way and the interfaces hold no SQL.

- No import cycle among the package's modules, function-level imports included: a module importing
  ``from corridors import x`` depends on the package facade (``corridors/__init__.py``, which reaches
  the Observatory), so modules import submodules directly.
- No SQL literal in ``cli/``, ``api/`` or ``web/``: they ask the analytics (through the Observatory
  or the shared records), whose functions are named after what they return.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import corridors

PACKAGE = Path(corridors.__file__).parent
INTERFACES = ("cli", "api", "web")

#: A statement of SQL in a string: the keywords that start (or make) one, in capitals as the code
#: writes SQL. Help texts in plain English do not write them in capitals.
SQL = re.compile(
    r"\b(SELECT|INSERT\s+INTO|CREATE\s+(OR\s+REPLACE\s+)?(TEMP\s+|TEMPORARY\s+)?"
    r"(TABLE|VIEW|MACRO|INDEX|SCHEMA|SEQUENCE|TYPE)|UPDATE\s+\w+\s+SET|DELETE\s+FROM|"
    r"DROP\s+(TABLE|VIEW|MACRO|INDEX|SCHEMA)|ALTER\s+TABLE|ATTACH|DETACH|PRAGMA|COPY\s|DESCRIBE|"
    r"EXPLAIN|WITH\s+\w+\s+AS\s*\()\b"
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports anywhere in its body (as Python resolves them:
    ``from a import b`` depends on ``a`` and, when it is a module, on ``a.b``)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rsplit(".", 1)[0] if "." in target else ""
                if target and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = iter(range(len(graph) + 1))

    def visit(v: str) -> None:
        index[v] = low[v] = next(counter)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_names_from_the_package_facade():
    graph = import_graph()
    assert "corridors.observatory" in graph["corridors"]  # the facade re-exports the Observatory
    importers = sorted(m for m, targets in graph.items() if "corridors" in targets)
    assert importers == [], f"import submodules, not names from corridors/__init__.py: {importers}"


def test_the_interfaces_and_the_records_are_in_no_import_cycle():
    """The package-level cycle (through ``corridors/__init__``) and the web pages' cycle are gone;
    no cycle touches an interface, the records, the store or the Observatory."""
    graph = import_graph()
    outer = ("corridors.cli", "corridors.api", "corridors.web", "corridors.records",
             "corridors.store", "corridors.observatory", "corridors.sources", "corridors.readers")
    tangled = [c for c in cycles(graph) if any(m == "corridors" or m.startswith(outer) for m in c)]
    assert tangled == []


def test_web_pages_do_not_import_api_routes():
    graph = import_graph()
    for name, targets in graph.items():
        if name.startswith("corridors.web"):
            assert not {t for t in targets if t.startswith("corridors.api.routes")}, name


def sql_literals(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string constant in the file that holds SQL (f-strings included)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
            found.append((node.lineno, node.value[:60]))
    return found


def test_the_sql_finder_finds_sql():
    assert sql_literals(PACKAGE / "analytics" / "reference.py")  # where the look-ups went
    assert SQL.search("SELECT iso3 FROM countries")
    assert SQL.search("CREATE OR REPLACE MACRO growth(a, b) AS b / a")
    assert not SQL.search("Select a country, then create a profile.")


def test_no_sql_in_the_interfaces():
    offending = {}
    for folder in INTERFACES:
        for path in sorted((PACKAGE / folder).rglob("*.py")):
            found = sql_literals(path)
            if found:
                offending[str(path.relative_to(PACKAGE))] = found
    assert offending == {}, f"SQL in an interface (move it to analytics or store): {offending}"


#: SQL that reads the store's provenance table (``previous.provenance``, the build's copy of the
#: previous store's rows, is another database's table) and SQL that writes it.
READS_PROVENANCE = re.compile(r"\b(FROM|JOIN)\s+provenance\b")
WRITES_PROVENANCE = re.compile(r"\b(INSERT\s+INTO|DELETE\s+FROM|UPDATE)\s+provenance\b")
#: The one reader (:func:`corridors.store.provenance.read`) and the writers (the build's load).
PROVENANCE_HOME = "store/provenance.py"
PROVENANCE_WRITERS = (PROVENANCE_HOME, "store/build.py")


def provenance_sql(path: Path) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(reads, writes) of the provenance table in a module's string constants."""
    reads, writes = [], []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if WRITES_PROVENANCE.search(node.value):
                writes.append((node.lineno, node.value[:60]))
            elif READS_PROVENANCE.search(node.value):
                reads.append((node.lineno, node.value[:60]))
    return reads, writes


def test_the_provenance_finder_finds_reads_and_writes():
    reads, writes = provenance_sql(PACKAGE / PROVENANCE_HOME)
    assert reads and writes
    assert READS_PROVENANCE.search("SELECT s.x FROM migrant_stock s LEFT JOIN provenance p USING (source_id)")
    assert not READS_PROVENANCE.search("SELECT * FROM previous.provenance")
    assert not READS_PROVENANCE.search("The rows come from provenance.json")  # prose, not SQL


def test_one_module_queries_the_provenance_table():
    """Every answer's sources come through :func:`corridors.store.provenance.read`: no other
    module reads the table, and only the build and that module write it."""
    reads, writes = {}, {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = str(path.relative_to(PACKAGE))
        found_reads, found_writes = provenance_sql(path)
        if found_reads and name != PROVENANCE_HOME:
            reads[name] = found_reads
        if found_writes and name not in PROVENANCE_WRITERS:
            writes[name] = found_writes
    assert reads == {}, f"read provenance through corridors.store.provenance.read: {reads}"
    assert writes == {}, f"write provenance through corridors.store.provenance: {writes}"
