"""Governance: instruments and ratifications, regional communities and free movement, bilateral
labour agreements scored against international standards, a good-practice catalogue and a corridor
scorecard that puts governance next to migrant stocks.

Modules: ``instruments`` (what is tracked), ``ratifications`` (who ratified what, and how complete
each list is), ``communities`` (regional economic communities), ``agreements`` (BLA/MoU registry and
alignment score), ``practices`` (good-practice catalogue and search), ``scorecard`` (corridor view
and ranking).
"""
