"""corridors: the South-South Mobility Observatory.

Data flows one way: sources -> readers -> reference -> store -> analytics -> interfaces.
The Python API is :class:`corridors.Observatory`.
"""

__version__ = "0.2.0"  # the one place the version is written (pyproject.toml reads it)


def __getattr__(name: str):
    if name == "Observatory":
        from corridors.observatory import Observatory

        return Observatory
    raise AttributeError(name)
