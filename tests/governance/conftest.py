"""The governance tests' constructed reference folder (see tests/governance_inputs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from governance_inputs import write_reference


@pytest.fixture
def reference(tmp_path: Path) -> Path:
    return write_reference(tmp_path)
