"""A microdata file as the user has it: CSV, Parquet, Stata (.dta) or SPSS (.sav).

CSV and Parquet are read by the engine itself (DuckDB or Spark), so files larger than memory stream.
Stata and SPSS files are read with pyreadstat (value labels are not applied: codes stay codes, the
mapping file says what they mean) and handed to the engine as Arrow (DuckDB) or Parquet (Spark).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from corridors.errors import InputError

FORMATS = {".csv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet",
           ".dta": "stata", ".sav": "spss", ".zsav": "spss"}


@dataclass(frozen=True)
class Microdata:
    """One microdata file and how to read it.

    ``null_values``: strings a CSV uses for a missing value (default: empty and ``NA``).
    ``delimiter``: CSV field separator; ``None`` lets DuckDB detect it (EPH files use ``;``).
    """

    path: Path
    format: str
    null_values: tuple[str, ...] = ("", "NA")
    delimiter: str | None = None
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.path.name

    def sha256(self) -> str:
        """Checksum of the file, recorded with every estimate written to the store."""
        if "sha256" not in self._cache:
            digest = hashlib.sha256()
            with self.path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            self._cache["sha256"] = digest.hexdigest()
        return self._cache["sha256"]

    def read_statistical(self):
        """A Stata or SPSS file as a pyarrow Table (codes, not labels)."""
        import pyarrow as pa
        import pyreadstat

        reader = pyreadstat.read_dta if self.format == "stata" else pyreadstat.read_sav
        try:
            frame, _meta = reader(str(self.path), apply_value_formats=False)
        except Exception as error:  # pyreadstat raises its own ReadstatError and OSError
            raise InputError.one(str(self.path), f"a readable {self.format} file",
                                 hint=str(error)) from error
        return pa.Table.from_pandas(frame, preserve_index=False)


def open_microdata(path: str | Path, *, null_values: tuple[str, ...] = ("", "NA"),
                   delimiter: str | None = None) -> Microdata:
    """A Microdata for ``path``; the format comes from the file extension."""
    path = Path(path)
    if not path.exists():
        raise InputError.one(str(path), "an existing microdata file",
                             hint="Check the path; CSV, Parquet, .dta and .sav are read.")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None and path.is_dir():
        fmt = "parquet"  # a folder of Parquet parts, as Spark writes it
    if fmt is None:
        raise InputError.one(str(path), "a .csv, .parquet, .dta or .sav file", value=path.suffix)
    return Microdata(path, fmt, tuple(null_values), delimiter)
