"""The Observatory every command asks: the built store (``--home``), its selection defaults and
provenance. Imported when a command runs, so that ``corridors --help`` loads no database library."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from corridors.observatory import Observatory


def observatory(*, read_only: bool = True) -> Observatory:
    """The Observatory over the store of the current settings (read-only unless a command saves
    into it)."""
    from corridors.observatory import Observatory

    return Observatory(read_only=read_only)
