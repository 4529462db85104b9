"""Every YAML file a user gives is read with limits: an alias bomb ("billion laughs"), an alias
loop or an oversized file fails in well under a second with a message naming the file and what
was wrong (survey mappings, lenses, agreements, practices)."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridors.analytics.lenses import available_lenses
from corridors.errors import InputError
from corridors.governance import agreements, practices
from corridors.survey.mapping import load_mapping
from corridors.yamlfile import MAX_BYTES, load_yaml

LAUGHS = "\n".join(
    ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 10)]
) + "\n"


def _fails_fast(read, path: Path) -> str:
    # bounded work, not a timing: the reader stops at its limit before expanding the aliases
    # (its time is in the closing figures, not asserted here: timed tests are flaky)
    with pytest.raises(InputError) as caught:
        read(path)
    message = str(caught.value)
    assert str(path) in message
    return message


def test_alias_bomb_in_a_survey_mapping(tmp_path):
    path = tmp_path / "mapping.yaml"
    path.write_text(LAUGHS + "design:\n  weight: w\nvariables:\n  sex:\n    column: s\n"
                    "    map: *l9\n", encoding="utf-8")
    message = _fails_fast(load_mapping, path)
    assert "1,000,000 values" in message and "alias" in message


def test_alias_bomb_in_lenses_agreements_and_practices(tmp_path):
    folder = tmp_path / "lenses"
    folder.mkdir()
    (folder / "bomb.yaml").write_text(LAUGHS + "lenses: *l9\n", encoding="utf-8")
    _fails_fast(available_lenses, folder)
    path = tmp_path / "agreements.yaml"
    path.write_text(LAUGHS, encoding="utf-8")
    _fails_fast(agreements.read_file, path)
    path = tmp_path / "practices.yaml"
    path.write_text(LAUGHS, encoding="utf-8")
    _fails_fast(practices.read_file, path)


def test_loops_depth_and_size(tmp_path):
    with pytest.raises(InputError, match="loop"):
        load_yaml("a: &a [*a]\n", "loop.yaml")
    with pytest.raises(InputError, match="levels of nesting"):
        load_yaml("[" * 500 + "]" * 500, "deep.yaml")
    path = tmp_path / "big.yaml"
    path.write_text("x: '" + "a" * (MAX_BYTES + 1) + "'\n", encoding="utf-8")
    _fails_fast(load_mapping, path)


def test_ordinary_anchors_still_work():
    data = load_yaml("base: &b {a: 1}\nother: *b\n", "ok.yaml")
    assert data == {"base": {"a": 1}, "other": {"a": 1}}
