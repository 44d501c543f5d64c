"""Database engine and the one way to open a write transaction."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from server.lib.errors import Conflict


def engine_for(url: str) -> SQLiteEngine | PostgresEngine:
    """Build the Piccolo engine for a database URL."""
    if url.startswith("sqlite"):
        path = Path(unquote(url.split(":///", 1)[1]))
        path.parent.mkdir(parents=True, exist_ok=True)
        # WAL lets readers go on while one writer writes; set once, it is kept in the file.
        con = sqlite3.connect(path)
        con.execute("PRAGMA journal_mode=WAL")
        con.close()
        return SQLiteEngine(path=str(path), timeout=30)
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"DUCHA_DATABASE_URL 不受支持: {url!r} (用 sqlite:/// 或 postgresql://)")
    config: dict[str, Any] = {"dsn": url}
    return PostgresEngine(config=config)


def engine():
    """The engine of the running configuration."""
    from piccolo.engine.finder import engine_finder

    found = engine_finder()
    assert found is not None, "piccolo_conf.py not found"
    return found


def write():
    """A transaction for a write: IMMEDIATE on SQLite (one writer, no lock upgrade deadlock)."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        return db.transaction(transaction_type=TransactionType.immediate)
    return db.transaction()


async def lock_row(table, row_id: int) -> None:
    """Inside ``write()``: hold this row's lock to the end of the transaction, so checks made under
    it (is there a submission already?) cannot race (PostgreSQL; SQLite's IMMEDIATE transaction is
    one writer at a time already)."""
    if is_postgres():
        await execute(f'SELECT id FROM "{table._meta.tablename}" WHERE id = {{}} FOR UPDATE', row_id)


async def lock_key(key: str) -> None:
    """Inside ``write()``: one transaction at a time for this key, to the end of the transaction
    (PostgreSQL advisory lock; SQLite's IMMEDIATE transaction is one writer at a time already)."""
    if is_postgres():
        await execute("SELECT pg_advisory_xact_lock(hashtext({}))", key)


def is_unique_violation(exc: BaseException) -> bool:
    """True for a UNIQUE violation on either engine."""
    if isinstance(exc, sqlite3.IntegrityError):
        return "UNIQUE" in str(exc)
    name = type(exc).__name__
    return name == "UniqueViolationError"


def raise_conflict_on_unique(exc: BaseException, message: str) -> None:
    if is_unique_violation(exc):
        raise Conflict(message) from exc


@contextlib.asynccontextmanager
async def pool(max_size: int = 4):
    """A small PostgreSQL connection pool for a short-lived process (a job, a shell command);
    nothing on SQLite. The server starts its own at start-up."""
    if not is_postgres() or engine().pool is not None:
        yield
        return
    await engine().start_connection_pool(min_size=1, max_size=max_size)
    try:
        yield
    finally:
        await engine().close_connection_pool()


def is_postgres() -> bool:
    return isinstance(engine(), PostgresEngine)


async def execute(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Raw SQL (``{}`` placeholders) on the current transaction or the pool."""
    from piccolo.querystring import QueryString

    return await engine().run_querystring(QueryString(sql, *args))
