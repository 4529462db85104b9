"""One reader per official layout.

Contract: each module exposes ``read(path: Path, ...) -> polars.DataFrame`` (or a small dataclass
of frames for a file holding several tables), keyed by codes (ISO3, M49), never display names, and
raises :class:`corridors.errors.InputError` naming file, sheet, row, value and what was expected
when the file does not have the official layout. Readers do not touch the store.
"""
