"""`corridors build` = the store's load, then the derived tables (corridors.pipeline): the store
package imports nothing from the analytics, and the store built from the mirror holds a corridor
fact table that agrees with its bilateral stock."""

from __future__ import annotations

import ast
from pathlib import Path

import corridors.store

STORE = Path(corridors.store.__file__).parent


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_the_store_imports_nothing_from_the_analytics():
    files = sorted(STORE.rglob("*.py"))
    assert files
    offending = {str(f.relative_to(STORE)): sorted(m for m in _imports(f)
                                                   if m.startswith("corridors.analytics"))
                 for f in files}
    assert {f: m for f, m in offending.items() if m} == {}


def test_the_built_store_has_facts_that_agree_with_its_stock(store_con):
    con = store_con
    # every stored (edition, corridor, year, sex) figure is a fact, and nothing else is, except
    # the totals an edition that stores only the sexes gets as male + female
    missing = con.execute("""
        SELECT count(*) FROM migrant_stock m WHERE value IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM corridor_facts f WHERE f.edition = m.edition AND f.origin = m.origin
              AND f.destination = m.destination AND f.year = m.year AND f.sex = m.sex
              AND f.stock = m.value)""").fetchone()[0]
    assert missing == 0
    extra = con.execute("""
        SELECT count(*) FROM corridor_facts f WHERE NOT EXISTS (
            SELECT 1 FROM migrant_stock m WHERE f.edition = m.edition AND f.origin = m.origin
              AND f.destination = m.destination AND f.year = m.year AND f.sex = m.sex)
          AND (f.sex <> 'total' OR f.edition IN (SELECT edition FROM migrant_stock
                                                 WHERE sex = 'total'))""").fetchone()[0]
    assert extra == 0
    # each edition's world total per year is the stock's
    differ = con.execute("""
        SELECT count(*) FROM (SELECT edition, year, sum(stock) AS s FROM corridor_facts
                              WHERE sex = 'total' GROUP BY ALL) f
        JOIN (SELECT edition, year, sum(value) AS s FROM migrant_stock
              WHERE sex = (CASE WHEN edition IN (SELECT edition FROM migrant_stock
                                                 WHERE sex = 'total') THEN 'total' END)
              GROUP BY ALL) m USING (edition, year)
        WHERE f.s <> m.s""").fetchone()[0]
    assert differ == 0
    # every built-in lens classifies the corridors of every edition
    columns = [r[0] for r in con.execute("DESCRIBE corridor_facts").fetchall()]
    assert {"category_wb_lmic", "category_wb_non_high", "category_un_developing",
            "category_gfmd_2018", "communities", "shared_recs"} <= set(columns)
    assert con.execute("SELECT count(DISTINCT category_wb_lmic) FROM corridor_facts").fetchone()[0] \
        >= 5
