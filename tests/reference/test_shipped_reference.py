"""The curated reference ships with the package and agrees with the folder the project curates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from corridors import settings as settings_module
from corridors.reference import FILES, folder
from corridors.sources import get

ROOT = Path(__file__).resolve().parents[2]


def test_package_copy_is_byte_identical_to_the_curated_folder(shared: Path):
    curated = shared / "reference"
    for name in FILES:
        assert (folder() / name).read_bytes() == (curated / name).read_bytes(), (
            f"{name} differs: run `python scripts/sync_reference.py`")


def test_sync_script_check_agrees_and_notices_a_difference(shared: Path, tmp_path: Path):
    script = ROOT / "scripts" / "sync_reference.py"
    ok = subprocess.run([sys.executable, str(script), "--check", "--from", str(shared / "reference")],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    changed = tmp_path / "reference"
    changed.mkdir()
    for name in FILES:
        (changed / name).write_bytes((shared / "reference" / name).read_bytes())
    with open(changed / "rec_membership.csv", "a", encoding="utf-8") as handle:
        handle.write("EAC,East African Community,SOM,member,2024,,https://www.eac.int/,\n")
    bad = subprocess.run([sys.executable, str(script), "--check", "--from", str(changed)],
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "rec_membership.csv" in bad.stderr


def test_registry_lists_the_shipped_files_with_sources_and_coverage():
    source = get("curated-reference")
    assert source.shipped and not any(f.url or f.mirror for f in source.files)
    assert {f.name for f in source.files} <= set(FILES)
    assert {"coverage.csv", "README.md"} <= set(FILES)
    header = (folder() / "rec_membership.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "source_url" in header and "since" in header


def test_the_user_folder_replaces_the_shipped_copy(tmp_path: Path):
    settings_module.use(settings_module.Settings(home=tmp_path, reference=tmp_path / "mine"))
    assert settings_module.settings().reference_dir == tmp_path / "mine"
    settings_module.use(settings_module.Settings(home=tmp_path, reference=None))
    assert settings_module.settings().reference_dir == folder()
