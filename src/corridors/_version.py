"""The package version, written once (pyproject.toml reads it; ``corridors.__version__`` re-exports it).

A leaf module: it imports nothing, so any module may read the version without importing the
package facade (``corridors/__init__.py``, which reaches the Observatory)."""

__version__ = "0.2.0"
