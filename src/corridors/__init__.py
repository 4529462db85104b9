"""corridors: the South-South Mobility Observatory.

Data flows one way: sources -> readers -> reference -> store -> analytics -> interfaces.
"""

__version__ = "0.1.0"
