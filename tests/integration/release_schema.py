"""Build a database exactly as the November 2026 release left it, from that release's frozen schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA = Path(__file__).parent.parent / "fixtures" / "release_2026_11_schema.sql"


def release_migrations() -> list[list[str]]:
    """The release's migrations, in order, each as its list of SQL statements."""
    migrations: list[list[str]] = []
    for block in SCHEMA.read_text(encoding="utf-8").split("-- migration ")[1:]:
        body = "\n".join(line for line in block.splitlines()[1:] if not line.startswith("--"))
        migrations.append([statement for statement in body.split(";") if statement.strip()])
    return migrations


def release_migrate(db: sqlite3.Connection, version: int) -> None:
    """Bring `db` to the release's schema `version` (its PRAGMA user_version) the way that release did."""
    (current,) = db.execute("PRAGMA user_version").fetchone()
    for number, statements in enumerate(release_migrations()[current:version], start=current + 1):
        db.execute("BEGIN")
        for statement in statements:
            db.execute(statement)
        db.execute(f"PRAGMA user_version = {number}")
        db.execute("COMMIT")


def create_release_database(path: Path, version: int) -> sqlite3.Connection:
    """A new database at the release's schema `version`."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    release_migrate(db, version)
    return db
