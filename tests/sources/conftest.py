"""The publisher-layout constructors of tests/readers are shared with the pull tests."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "readers"))
