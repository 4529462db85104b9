#!/usr/bin/env python3
"""Keep the curated reference shipped inside the package (src/corridors/reference/) in step with
the folder the project curates (../shared/reference beside the repository).

    python scripts/sync_reference.py            copy every changed file into the package
    python scripts/sync_reference.py --check    exit 1 (and say which) when they differ
    python scripts/sync_reference.py --from DIR use another curated folder

Only the files the package ships are synced (corridors.reference.FILES); the copy is byte for
byte, so a test can compare them exactly.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "corridors" / "reference"


def shipped_files() -> tuple[str, ...]:
    sys.path.insert(0, str(ROOT / "src"))
    from corridors.reference import FILES

    return FILES


def differences(curated: Path) -> list[str]:
    """The shipped files whose package copy is missing or differs from ``curated``."""
    out = []
    for name in shipped_files():
        theirs, ours = curated / name, PACKAGE / name
        if not theirs.is_file():
            out.append(f"{name}: not in {curated}")
        elif not ours.is_file() or ours.read_bytes() != theirs.read_bytes():
            out.append(f"{name}: the package copy differs from {theirs}")
    return out


def default_curated() -> Path:
    """../shared/reference beside the repository, else beside the mirror CORRIDORS_MIRROR names."""
    beside = ROOT.parent / "shared" / "reference"
    mirror = os.environ.get("CORRIDORS_MIRROR")
    if not beside.is_dir() and mirror:
        return Path(mirror).resolve().parent / "reference"
    return beside


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="curated", type=Path, default=default_curated(),
                        help="the curated reference folder (default: ../shared/reference, else "
                             "reference/ beside $CORRIDORS_MIRROR)")
    parser.add_argument("--check", action="store_true", help="only report differences")
    args = parser.parse_args(argv)
    if not args.curated.is_dir():
        print(f"sync_reference: {args.curated} does not exist; give the curated folder with --from",
              file=sys.stderr)
        return 2
    changed = differences(args.curated)
    if args.check or not changed:
        for line in changed:
            print(f"sync_reference: {line}", file=sys.stderr)
        if not changed:
            print(f"sync_reference: the package copy agrees with {args.curated}")
        return 1 if changed else 0
    for name in shipped_files():
        source = args.curated / name
        if source.is_file():
            shutil.copyfile(source, PACKAGE / name)
    print(f"sync_reference: copied {len(changed)} changed file(s) from {args.curated} into {PACKAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
