"""The project's own cited data, shipped with the package: regional-community membership and
free-movement instruments, ILO and UN treaty ratifications, and how complete each list is
(``coverage.csv``; ``README.md`` says where every row comes from).

The copy here is kept in step with the curated folder the project maintains
(``../shared/reference``) by ``scripts/sync_reference.py``; a test checks they agree. A user can
replace it with their own folder (``CORRIDORS_REFERENCE``).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: The files of the curated reference, as the registry's ``curated-reference`` source lists them.
FILES = ("rec_membership.csv", "rec_free_movement.csv", "ilo_ratifications.csv",
         "un_treaty_parties.csv", "coverage.csv", "README.md")


def folder() -> Path:
    """The folder inside the installed package that holds the shipped files."""
    return Path(str(resources.files(__package__)))
