"""Flows from stocks: migration flows between places over a period estimated from the bilateral
stock tables at its start and end (stock differencing, migration rates, demographic accounting),
for a user's own matrices or for every country pair in the store."""

from corridors.analytics.flows.accounting import (
    AccountingResult,
    NotConvergedError,
    demographic_accounting,
    ipf,
)
from corridors.analytics.flows.differencing import difference
from corridors.analytics.flows.matrices import read_stock_csv, read_vital_csv
from corridors.analytics.flows.rates import dennett, rogers_von_rabenau

__all__ = [
    "AccountingResult",
    "NotConvergedError",
    "demographic_accounting",
    "dennett",
    "difference",
    "ipf",
    "read_stock_csv",
    "read_vital_csv",
    "rogers_von_rabenau",
]
