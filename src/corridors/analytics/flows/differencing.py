"""Stock differencing: flows read straight off the change in bilateral stocks.

A rise in the number of people born in ``b`` living in ``j`` between two dates is read as a flow
``b -> j`` of that size (Beine & Parsons 2015; Bertoli & Fernandez-Huertas Moraga 2015; compared in
Abel & Cohen 2019, Scientific Data 6:82). A fall is either ignored (``decrease="zero"``) or read as a
return of ``b``-born people from ``j`` home to ``b`` (``decrease="return"``).

Rows of the stock matrices are the place of birth, columns the place of residence; the result has
rows = origin, columns = destination, zero diagonal.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from corridors.analytics.flows.matrices import check_pair

Decrease = Literal["zero", "return"]


def difference(stock_start: np.ndarray, stock_end: np.ndarray,
               decrease: Decrease = "zero") -> np.ndarray:
    """Flows origin x destination from the change in stocks.

    >>> import numpy as np
    >>> difference(np.array([[5., 1.], [2., 9.]]), np.array([[5., 4.], [1., 9.]]), "return")
    array([[0., 4.],
           [0., 0.]])
    """
    s1, s2 = check_pair(stock_start, stock_end)
    change = s2 - s1
    np.fill_diagonal(change, 0.0)
    rises = np.clip(change, 0.0, None)
    if decrease == "zero":
        return rises
    if decrease == "return":
        # a fall of b-born in j is a move j -> b: transpose the falls into (origin j, destination b)
        return rises + np.clip(-change, 0.0, None).T
    raise ValueError(f"decrease must be 'zero' or 'return', not {decrease!r}")
