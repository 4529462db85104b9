"""Imports run one way and the interfaces hold no SQL.

- Packages import one way (:data:`LAYERS`): sources -> readers -> store -> {governance, survey}
  -> analytics -> Observatory and build -> interfaces; an import against it fails naming the
  importing module and the imported one.
- No import cycle among the package's modules, function-level imports included: a module importing
  ``from corridors import x`` depends on the package facade (``corridors/__init__.py``, which reaches
  the Observatory), so modules import submodules directly.
- No SQL literal in ``cli/``, ``api/`` or ``web/``: they ask the analytics (through the Observatory
  or the shared records), whose functions are named after what they return.
- One module queries the provenance table (:func:`corridors.store.provenance.read`).
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


#: The package's layers, lowest first: a top-level package or module imports only from its own
#: layer or lower ones. Within a layer, only the foundations and the interfaces import each other
#: (the CLI serves the API, the API mounts the pages, both use the shared records); governance
#: and survey are domains beside each other, below analytics, which may ask both.
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("foundations", frozenset({"_version", "errors", "settings", "reference", "codes", "links",
                               "yamlfile", "languages", "names", "spreadsheets", "outputs"})),
    ("sources", frozenset({"sources"})),
    ("readers", frozenset({"readers"})),
    ("store", frozenset({"store"})),
    ("domains", frozenset({"governance", "survey"})),
    ("analytics", frozenset({"analytics"})),
    ("core", frozenset({"observatory", "pipeline"})),
    ("interfaces", frozenset({"records", "cli", "api", "web", "corridors"})),
)
SHARED_LAYERS = ("foundations", "interfaces")


def package_of(module: str) -> str:
    """The top-level package (or module) of a module: ``corridors.store.build`` -> ``store``;
    the facade ``corridors`` is itself."""
    return module.split(".")[1] if "." in module else module


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    """Every import that runs against :data:`LAYERS`, as a sentence naming the importing module,
    the imported one and the layers."""
    rank = {package: (i, name) for i, (name, packages) in enumerate(LAYERS) for package in packages}
    found = []
    for module in sorted(graph):
        a = package_of(module)
        if a not in rank:
            found.append(f"{module}: package {a!r} is in no layer (add it to LAYERS in tests/test_layers.py)")
            continue
        for target in sorted(graph[module]):
            b = package_of(target)
            if b == a or b not in rank:
                continue
            (i, layer_a), (j, layer_b) = rank[a], rank[b]
            if j > i or (j == i and layer_a not in SHARED_LAYERS):
                found.append(f"{module} imports {target}: {a} ({layer_a}) may not import {b} "
                             f"({layer_b}); imports run {' -> '.join(n for n, _ in LAYERS)}")
    return found


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    packages: dict[str, set[str]] = {}
    for module, targets in graph.items():
        packages.setdefault(package_of(module), set()).update(
            package_of(t) for t in targets if package_of(t) != package_of(module))
    for targets in list(packages.values()):
        for t in targets:
            packages.setdefault(t, set())
    return packages


def test_the_layer_checker_names_the_offending_import():
    graph = {"corridors.store.build": {"corridors.analytics.facts", "corridors.errors"},
             "corridors.analytics.facts": {"corridors.store"}, "corridors.store": set(),
             "corridors.errors": set(),
             "corridors.governance.scorecard": {"corridors.analytics.lenses"},
             "corridors.analytics.lenses": {"corridors.governance.communities"},
             "corridors.governance.communities": set(),
             "corridors.survey.store": {"corridors.governance.communities"}}
    found = layer_violations(graph)
    assert found == [
        "corridors.governance.scorecard imports corridors.analytics.lenses: governance (domains) "
        "may not import analytics (analytics); imports run foundations -> sources -> readers -> "
        "store -> domains -> analytics -> core -> interfaces",
        "corridors.store.build imports corridors.analytics.facts: store (store) may not import "
        "analytics (analytics); imports run foundations -> sources -> readers -> store -> domains "
        "-> analytics -> core -> interfaces",
        "corridors.survey.store imports corridors.governance.communities: survey (domains) may "
        "not import governance (domains); imports run foundations -> sources -> readers -> store "
        "-> domains -> analytics -> core -> interfaces",
    ]
    assert cycles(package_graph(graph)) == [["analytics", "governance", "store"]]
    assert layer_violations({"corridors.newthing.x": set()})[0].startswith(
        "corridors.newthing.x: package 'newthing' is in no layer")


def test_packages_import_one_way():
    """sources -> readers -> store -> {governance, survey} -> analytics -> Observatory and build
    -> interfaces, function-level imports included: the store imports nothing from analytics,
    governance, survey or an interface; governance and survey nothing from analytics or an
    interface."""
    found = layer_violations(import_graph())
    assert found == [], "imports against the layers:\n" + "\n".join(found)


def test_no_cycle_among_the_packages_below_the_interfaces():
    """As packages (not only as modules), store, governance, survey, analytics and the
    Observatory form no cycle."""
    interfaces = dict(LAYERS)["interfaces"]
    packages = {p: t - interfaces for p, t in package_graph(import_graph()).items()
                if p not in interfaces}
    assert cycles(packages) == []


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
