"""The test database as a template: what took seconds to build (the world, the authorization
table's objects) is built once per test run, kept as a snapshot, and copied back before each test.

- SQLite: the snapshot is a file made with SQLite's online backup, and copied back the same way
  (page by page, under SQLite's own locks, so a server process with the file open sees the copy).
- PostgreSQL: the snapshot is a schema of plain copies of the tables and the sequences' values; a
  restore deletes the rows of every table and inserts the snapshot's, on one connection in one
  transaction (for the few rows a test makes, much cheaper than TRUNCATE's new files per table).
- Files: the media folder's files present when the snapshot was taken are put back if a test removed
  or changed them (the folder is otherwise left as it is, as the tests have always had it).

``once(name, build)`` builds a snapshot the first time a test asks for it and restores it every
other time; ``restore("world")`` gives the plain world every test starts from.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

_dir = Path(tempfile.mkdtemp(prefix="ducha-snapshots-"))
#: name -> what its builder returned (JSON), for every snapshot taken in this run
_made: dict[str, Any] = {}
_pg = None  # the one asyncpg connection the PostgreSQL snapshots are taken and restored on
_restore_sql: dict[str, str] = {}
#: the media files each snapshot had: name -> {relative path: size}
_media: dict[str, dict[str, int]] = {}


def _postgres() -> bool:
    from server.lib import db

    return db.is_postgres()


def _sqlite_path() -> str:
    from server.lib import db

    return db.engine().path


def _copy_sqlite(src: str, dst: str) -> None:
    with contextlib.closing(sqlite3.connect(src, timeout=30)) as a, contextlib.closing(sqlite3.connect(dst, timeout=30)) as b:
        a.backup(b)


def _tables() -> list[str]:
    from tests.world import table_names

    return table_names()


async def _connection():
    global _pg
    import asyncpg

    if _pg is None or _pg.is_closed():
        from server.settings import get_settings

        _pg = await asyncpg.connect(get_settings().database_url)
    return _pg


async def drop_all() -> None:
    """At the start of a run: no snapshot of an earlier run is taken for this one's."""
    _made.clear()
    _restore_sql.clear()
    _media.clear()
    if _postgres():
        con = await _connection()
        for (schema,) in await con.fetch("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'ducha_snap_%'"):
            await con.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _media_dir() -> Path:
    from server.settings import get_settings

    return get_settings().media_dir


def _media_files() -> dict[str, int]:
    root = _media_dir()
    if not root.is_dir():
        return {}
    return {str(path.relative_to(root)): path.stat().st_size for path in root.rglob("*") if path.is_file()}


async def take(name: str, value: Any = None) -> None:
    """Keep the database as it is now (and the media files it has) as ``name``."""
    files = await asyncio.to_thread(_media_files)
    keep = _dir / name / "media"
    for rel in files:
        (keep / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(_media_dir() / rel, keep / rel)
    _media[name] = files
    if _postgres():
        await _take_pg(name)
    else:
        await asyncio.to_thread(_copy_sqlite, _sqlite_path(), str(_dir / f"{name}.sqlite"))
    _made[name] = json.loads(json.dumps(value))


async def _take_pg(name: str) -> None:
    con = await _connection()
    schema = f"ducha_snap_{name}"
    tables = _tables()
    statements = [f'DROP SCHEMA IF EXISTS "{schema}" CASCADE', f'CREATE SCHEMA "{schema}"']
    statements += [f'CREATE TABLE "{schema}"."{t}" AS SELECT * FROM public."{t}"' for t in tables]
    await con.execute(";\n".join(statements))
    sequences = await con.fetch("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
    restore = ["SET LOCAL session_replication_role = replica"]  # no foreign-key triggers while rows are swapped
    restore += [f'DELETE FROM public."{t}"' for t in tables]
    restore += [f'INSERT INTO public."{t}" SELECT * FROM "{schema}"."{t}"' for t in tables]
    restore += [f"SELECT setval('public.\"{s['sequencename']}\"', {s['last_value'] or 1}, {'true' if s['last_value'] else 'false'})"
                for s in sequences]
    _restore_sql[name] = "BEGIN;\n" + ";\n".join(restore) + ";\nCOMMIT"


def _put_back_media(name: str) -> None:
    root, keep = _media_dir(), _dir / name / "media"
    for rel, size in _media[name].items():
        target = root / rel
        try:
            if target.stat().st_size == size:
                continue
        except FileNotFoundError:
            target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(keep / rel, target)


async def restore(name: str) -> Any:
    """The database as the snapshot ``name`` had it; what its builder returned."""
    if _postgres():
        con = await _connection()
        await con.execute(_restore_sql[name])
    else:
        await asyncio.to_thread(_copy_sqlite, str(_dir / f"{name}.sqlite"), _sqlite_path())
    await asyncio.to_thread(_put_back_media, name)
    return _made[name]


def has(name: str) -> bool:
    return name in _made


async def once(name: str, build: Callable[[], Awaitable[Any]]) -> Any:
    """The snapshot ``name``: built by ``build()`` (on the database as the test has it) the first
    time, restored every other time. ``build`` returns what the tests need to know of it (JSON)."""
    if has(name):
        return await restore(name)
    value = await build()
    await take(name, value)
    return _made[name]


async def close() -> None:
    global _pg
    if _pg is not None and not _pg.is_closed():
        await _pg.close()
    _pg = None
    shutil.rmtree(_dir, ignore_errors=True)
