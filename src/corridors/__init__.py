"""corridors: the South-South Mobility Observatory.

Data flows one way: sources -> readers -> reference -> store -> analytics -> interfaces.
The Python API is :class:`corridors.Observatory`.

This module is the package's facade, above everything: modules inside the package import
submodules directly (``import corridors.codes as codes``, ``from corridors.store import ...``),
never names from here, so no import leads back up to it (tests/test_imports.py).
"""

from corridors._version import __version__  # written once, in the leaf module _version.py

__all__ = ["Observatory", "__version__"]


def __getattr__(name: str):
    if name == "Observatory":
        from corridors.observatory import Observatory

        return Observatory
    raise AttributeError(name)
