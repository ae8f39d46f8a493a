"""Retrieval: keyword query parsing and ranking (keywords), dense + keyword fusion (hybrid), the modes (modes).

Nothing is re-exported here: the store imports `keywords`, and `hybrid` imports the store.
"""
