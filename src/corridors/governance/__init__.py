"""Governance: instruments and ratifications, regional communities and free movement, bilateral
labour agreements scored against international standards, and a good-practice catalogue.

Modules: ``instruments`` (what is tracked), ``ratifications`` (who ratified what, and how complete
each list is), ``communities`` (regional economic communities and the one membership rule),
``agreements`` (BLA/MoU registry and alignment score), ``practices`` (good-practice catalogue and
search), ``sources`` (the provenance of a governance answer).

A domain beside :mod:`corridors.analytics`: it reads the store and its own data files, and imports
nothing from analytics. What puts governance next to volumes or lenses (the corridor scorecard and
ranking, ratifiers by lens category) lives in analytics, which may ask governance:
:mod:`corridors.analytics.scorecard`, :mod:`corridors.analytics.ratifiers`.
"""
