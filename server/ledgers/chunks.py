"""A ledger's PDF chunks spread over the queue's workers (``DUCHA_QUEUE=postgres``).

The worker that takes a ledger job (the coordinator) cuts it into chunks of 250 rows
(``pdf.prepare``) and puts each chunk's HTML into the object store under a name made from its
content (``ledger-chunks/KEY.html``), with the font subsets it uses (``fonts/NAME``: any machine
renders it with the same glyphs); then it queues one ``ledger.chunk`` task per chunk and renders
chunks itself too, so every idle worker helps. A rendered chunk is ``ledger-chunks/KEY.pdf``.

Who renders a chunk: whoever holds its PostgreSQL advisory lock, taken on a connection of its own
for the time of the render. A worker that dies loses its connection and with it the lock, so the
coordinator takes the chunk over; no chunk is rendered twice at once. When the coordinator dies,
the job's lease lapses and the job is queued again: the next coordinator finds the chunks
rendered so far in the store and renders only the rest. Chunks are content-addressed, so a ledger
asked for again after a few rows changed renders only the chunks holding them (kept 14 days).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from server.ledgers import pdf
from server.lib import crash
from server.lib.storage import ObjectStore, media_store, write_atomically
from server.settings import get_settings

log = logging.getLogger("ducha.ledgers")

PREFIX = "ledger-chunks/"
FONTS = "fonts/"
#: how a shared chunk's HTML names the font folder (each machine puts its own in its place)
FONT_TOKEN = "ducha-fonts:///"
KEEP_DAYS = 14
_FONT_NAMES = re.compile(re.escape(FONT_TOKEN) + r"([\w.-]+)")


def worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def font_dir() -> Path:
    return get_settings().media_dir / "fonts"


def share(source: str, store: ObjectStore, fonts: Path) -> str:
    """Put a chunk's HTML (its fonts named by the token, not this machine's folder) and its fonts
    into the store, if not there yet; the chunk's key."""
    folder = fonts.as_uri() + "/"
    shared = source.replace(folder, FONT_TOKEN)
    for name in _font_names(shared):
        if not store.exists(FONTS + name):
            store.put(FONTS + name, (fonts / name).read_bytes())
    key = pdf.chunk_key(shared)
    if not store.exists(f"{PREFIX}{key}.html"):
        store.put(f"{PREFIX}{key}.html", shared.encode())
    return key


def localize(shared: str, store: ObjectStore, fonts: Path) -> str:
    """A shared chunk's HTML for this machine: its fonts fetched into our font folder."""
    for name in _font_names(shared):
        if not (fonts / name).is_file():
            write_atomically(fonts / name, store.get(FONTS + name))
    return shared.replace(FONT_TOKEN, fonts.as_uri() + "/")


def _font_names(shared: str) -> list[str]:
    """The font files a shared chunk's HTML names."""
    return sorted(set(_FONT_NAMES.findall(shared)))


def _lock_number(key: str) -> int:
    return int.from_bytes(hashlib.sha256(f"ledger-chunk:{key}".encode()).digest()[:8], "big", signed=True)


@contextlib.asynccontextmanager
async def claimed(key: str, wait: bool = False) -> AsyncIterator[bool]:
    """Whether this process holds the chunk's lock (another does: False; with ``wait``, until it lets
    go: it finished, or died and its connection with it); held while inside."""
    import psycopg

    async with await psycopg.AsyncConnection.connect(get_settings().database_url, autocommit=True) as conn:
        if wait:
            await conn.execute("SELECT pg_advisory_lock(%s)", (_lock_number(key),))
            got = True
        else:
            row = await (await conn.execute("SELECT pg_try_advisory_lock(%s)", (_lock_number(key),))).fetchone()
            got = bool(row and row[0])
        try:
            yield got
        finally:
            if got:
                await conn.execute("SELECT pg_advisory_unlock(%s)", (_lock_number(key),))


async def render_one(key: str, store: ObjectStore | None = None, wait: bool = False) -> bool:
    """Render chunk ``key`` unless it is rendered or being rendered; True when its PDF is in the store
    (or was put there by us), False when another worker holds it (``wait``: once it lets go, the
    chunk is in the store, or it died and we render it)."""
    store = store or media_store()
    if await asyncio.to_thread(store.exists, f"{PREFIX}{key}.pdf"):
        return True
    async with claimed(key, wait) as mine:
        if not mine:
            return False
        if await asyncio.to_thread(store.exists, f"{PREFIX}{key}.pdf"):  # finished while we asked for the lock
            return True
        shared = (await asyncio.to_thread(store.get, f"{PREFIX}{key}.html")).decode()
        source = await asyncio.to_thread(localize, shared, store, font_dir())
        data, pages = await asyncio.to_thread(pdf.render_chunk, source)
        await asyncio.to_thread(store.put, f"{PREFIX}{key}.pdf", data)
    log.info("台账分块 %s 已生成（%d 页），由 %s", key[:12], pages, worker_name())
    crash.point("ledger-mid-render")
    return True


async def render_all(prepared: list[tuple[str, int]], defer: Callable[[list[str]], Awaitable[object]],
                     progress: Callable[[int], Awaitable[object]]) -> list[tuple[bytes, int]]:
    """Every chunk's (PDF, pages), rendered by the workers and here: ``defer(keys)`` queues the
    chunks not rendered yet for the other workers; ``progress(rows)`` is told the rows whose chunk
    is in the store."""
    store = media_store()
    fonts = font_dir()
    keys = [await asyncio.to_thread(share, source, store, fonts) for source, _ in prepared]
    left = [k for k in dict.fromkeys(keys) if not await asyncio.to_thread(store.exists, f"{PREFIX}{k}.pdf")]
    if len(left) > 1:
        await defer(list(reversed(left[1:])))  # the others start at the far end; we start at the front
    await progress(sum(n for key, (_, n) in zip(keys, prepared, strict=True) if key not in left))
    # first every chunk nobody holds, then each one another worker holds, waiting for its lock
    for wait in (False, True):
        for key in list(left):
            if await render_one(key, store, wait=wait):
                left.remove(key)
                await progress(sum(n for k, (_, n) in zip(keys, prepared, strict=True) if k not in left))
    out = []
    for key in keys:
        data = await asyncio.to_thread(store.get, f"{PREFIX}{key}.pdf")
        out.append((data, pdf.page_count(data)))
    return out


def prune(store: ObjectStore, now: float, keep_days: int = KEEP_DAYS) -> int:
    """Chunks (and their HTML) not written for ``keep_days`` are removed; how many objects."""
    gone = 0
    for entry in list(store.entries(PREFIX)):
        if entry.modified < now - keep_days * 86400:
            store.delete(entry.key)
            gone += 1
    return gone
