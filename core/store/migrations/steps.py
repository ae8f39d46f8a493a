"""What every migration is made of: a name, the function applying it, and `run_script` for plain SQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiosqlite

Apply = Callable[[aiosqlite.Connection], Awaitable[None]]


@dataclass(frozen=True)
class Migration:
    """One schema change: a stable name (never reused, never renamed) and the function applying it."""

    name: str
    apply: Apply


async def run_script(db: aiosqlite.Connection, script: str) -> None:
    """Run `;`-separated statements inside the caller's transaction (executescript would commit)."""
    for statement in script.split(";"):
        if statement.strip():
            await db.execute(statement)
