"""What the benchmarks share."""

from __future__ import annotations

import asyncio

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def fresh_pg_database(name: str) -> str | None:
    """Drop and create database ``name`` on the local PostgreSQL; its URL, or None when unreachable."""
    import asyncpg

    async def go():
        con = await asyncpg.connect(PG_ADMIN)
        await con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await con.execute(f'CREATE DATABASE "{name}"')
        await con.close()

    try:
        asyncio.run(go())
    except (OSError, asyncpg.PostgresError):
        return None
    return f"postgresql://postgres@127.0.0.1:5432/{name}"
