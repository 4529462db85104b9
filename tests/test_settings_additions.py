"""The one rule for "the user's own facts changed" (settings.additions_stamp): the response cache
and the governance facts a server keeps are dropped when it changes."""

from __future__ import annotations

import os
from pathlib import Path

from corridors.settings import additions_stamp


def test_any_added_changed_or_removed_user_file_changes_the_stamp(tmp_path: Path) -> None:
    user, reference = tmp_path / "user", tmp_path / "reference"
    reference.mkdir()
    (reference / "rec_membership.csv").write_text("rec_code\n", encoding="utf-8")
    assert additions_stamp(user, reference) == additions_stamp(user, reference)  # no user folder
    seen = {additions_stamp(user, reference)}

    lens = user / "lenses" / "mine.yaml"  # a lens, not only governance imports
    lens.parent.mkdir(parents=True)
    lens.write_text("id: mine\n", encoding="utf-8")
    seen.add(additions_stamp(user, reference))

    info = lens.stat()
    os.utime(lens, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))  # edited in place
    seen.add(additions_stamp(user, reference))

    imported = user / "ratifications" / "c189.csv"
    imported.parent.mkdir()
    imported.write_text("instrument\n", encoding="utf-8")
    seen.add(additions_stamp(user, reference))

    imported.unlink()
    seen.add(additions_stamp(user, reference))

    (reference / "extra.csv").write_text("x\n", encoding="utf-8")  # the reference folder too
    os.utime(reference, ns=(0, reference.stat().st_mtime_ns + 1_000_000))
    seen.add(additions_stamp(user, reference))
    assert len(seen) == 6
    # nothing changed: the same stamp
    assert additions_stamp(user, reference) == additions_stamp(user, reference)
