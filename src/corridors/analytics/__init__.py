"""Analytics over the store: South–South lenses, corridors, regional summaries, profiles, exports."""
