"""The retrieval modes a search may ask for (a module of its own: the CLI's parser needs them, not the search)."""

from __future__ import annotations

from typing import Literal

Mode = Literal["hybrid", "dense", "keyword"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "keyword")
