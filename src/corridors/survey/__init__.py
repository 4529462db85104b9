"""Survey microdata engine: ICLS-2018 labour-migration indicators with design-based standard errors.

A domain beside :mod:`corridors.analytics`: it reads microdata and the store and imports nothing
from analytics (the caller resolves the UN DESA edition a reconciliation compares with).
"""
