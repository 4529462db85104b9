"""What to estimate: a measure (total, mean, ratio or quantile of a row expression) and its
constructors. The estimator (``estimator.py``) and the quantiles (``quantiles.py``) read them."""

from __future__ import annotations

from dataclasses import dataclass

from corridors.errors import CorridorsError


@dataclass(frozen=True)
class Measure:
    """One quantity to estimate in every domain.

    ``kind``: ``total`` (sum of w*y), ``mean`` (sum w*y / sum w; a proportion when y is 0/1),
    ``ratio`` (sum w*y / sum w*x) or ``quantile`` (the ``p`` quantile of y, ``quantiles.py``).
    ``y``/``x`` are row expressions (column names or safe SQL). ``universe`` restricts the
    measure to rows where it is true (e.g. ``working_age = 1``).
    """

    name: str
    kind: str
    y: str
    x: str | None = None
    universe: str | None = None
    description: str = ""
    p: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("total", "mean", "ratio", "quantile"):
            raise CorridorsError(f"measure {self.name!r}: kind must be total, mean, ratio or "
                                 "quantile")
        if self.kind == "ratio" and not self.x:
            raise CorridorsError(f"measure {self.name!r}: a ratio needs a denominator x")
        if self.kind == "quantile" and not (self.p is not None and 0 < self.p < 1):
            raise CorridorsError(f"measure {self.name!r}: a quantile needs a probability "
                                 f"between 0 and 1 (got {self.p!r}), e.g. 0.5 for the median")


def total(y: str, name: str | None = None, universe: str | None = None) -> Measure:
    return Measure(name or f"total({y})", "total", y, None, universe)


def mean(y: str, name: str | None = None, universe: str | None = None) -> Measure:
    return Measure(name or f"mean({y})", "mean", y, None, universe)


def ratio(y: str, x: str, name: str | None = None, universe: str | None = None) -> Measure:
    return Measure(name or f"ratio({y}/{x})", "ratio", y, x, universe)


def quantile(y: str, p: float, name: str | None = None, universe: str | None = None) -> Measure:
    return Measure(name or f"quantile({y}, {p:g})", "quantile", y, None, universe, p=p)
