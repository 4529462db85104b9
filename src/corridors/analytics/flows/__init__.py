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
from corridors.analytics.flows.matrices import read_seed_csv, read_stock_csv, read_vital_csv
from corridors.analytics.flows.own_matrices import OwnFlows, estimate_own_flows
from corridors.analytics.flows.rates import dennett, rogers_von_rabenau

__all__ = [
    "AccountingResult",
    "NotConvergedError",
    "OwnFlows",
    "demographic_accounting",
    "dennett",
    "estimate_own_flows",
    "difference",
    "ipf",
    "read_seed_csv",
    "read_stock_csv",
    "read_vital_csv",
    "rogers_von_rabenau",
]
