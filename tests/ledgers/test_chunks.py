"""A ledger's PDF chunks shared through the object store, so any worker on any machine renders
them with the same glyphs; a chunk another worker holds is left to it; old chunks are pruned."""

from __future__ import annotations

import os
import time

import pytest

from server.accounts.guards import SHELL
from server.ledgers import chunks, pdf, rows
from server.ledgers.model import LedgerFilters
from server.lib import clock, db
from server.lib.storage import LocalStore, media_store
from tests.ledgers.helpers import many_issues
from tests.ledgers.test_pdf import cells_text


async def _ledger(world, n: int = 3):
    await many_issues(world, n)
    return await rows.build(SHELL, "issues", LedgerFilters(), as_of=clock.now())


def _postgres_only():
    if not db.is_postgres():
        pytest.skip("chunks are spread over the queue's workers, which run on PostgreSQL")


async def test_a_shared_chunk_names_no_folder_of_this_machine_and_renders_on_another(world, tmp_path):
    ledger = await _ledger(world)
    here, there = tmp_path / "here-fonts", tmp_path / "there-fonts"
    store = LocalStore(tmp_path / "store")
    (source, count), = pdf.prepare(ledger, here)
    assert count == 3 and here.as_uri() in source

    key = chunks.share(source, store, here)
    assert chunks.share(source, store, here) == key  # the same chunk is the same object
    shared = store.get(f"ledger-chunks/{key}.html").decode()
    assert str(here) not in shared and chunks.FONT_TOKEN in shared
    fonts = [e.key for e in store.entries("fonts/")]
    assert fonts and all(k.startswith("fonts/ducha-serif-") for k in fonts)

    local = chunks.localize(shared, store, there)  # another machine: the fonts come from the store
    assert there.as_uri() in local and sorted(p.name for p in there.iterdir()) == sorted(k[len("fonts/"):] for k in fonts)
    data, pages = pdf.render_chunk(local)
    assert pages == 1 and "群众反映：3号楼楼道堆放杂物" in cells_text(data)


async def test_a_chunk_another_worker_holds_is_left_to_it_then_rendered_once(world, tmp_path):
    _postgres_only()
    ledger = await _ledger(world)
    store = media_store()
    (source, _), = pdf.prepare(ledger, chunks.font_dir())
    key = chunks.share(source, store, chunks.font_dir())
    async with chunks.claimed(key) as mine:
        assert mine
        async with chunks.claimed(key) as again:
            assert not again  # one holder at a time, even in one process (a connection each)
        assert await chunks.render_one(key, store) is False
        assert not store.exists(f"ledger-chunks/{key}.pdf")
    assert await chunks.render_one(key, store) is True  # the holder let go (or died): taken over
    written = store.get(f"ledger-chunks/{key}.pdf")
    assert await chunks.render_one(key, store) is True and store.get(f"ledger-chunks/{key}.pdf") == written


async def test_render_all_queues_the_rest_for_other_workers_and_reports_rows(world):
    _postgres_only()
    ledger = await _ledger(world, 5)
    prepared = pdf.prepare(ledger, chunks.font_dir(), chunk_rows=2)
    assert [n for _, n in prepared] == [2, 2, 1]
    deferred: list[list[str]] = []
    told: list[int] = []

    async def defer(keys):
        deferred.append(keys)

    async def progress(done):
        told.append(done)

    results = await chunks.render_all(prepared, defer, progress)
    keys = [chunks.share(s, media_store(), chunks.font_dir()) for s, _ in prepared]  # (in the store already)
    assert deferred == [[keys[2], keys[1]]]  # the others start from the back, this worker from the front
    assert told[-1] == 5 and told == sorted(told)
    assert [pages for _, pages in results] == [1, 1, 1]
    data, total = pdf.assemble(ledger, results, chunks.font_dir())
    assert total == 3 and "第3页共3页" in cells_text(data)

    again: list[list[str]] = []

    async def defer_again(keys):
        again.append(keys)

    await chunks.render_all(prepared, defer_again, progress)
    assert again == []  # asked again: every chunk is in the store, nothing to queue or render


def test_chunks_unused_for_two_weeks_are_pruned(tmp_path):
    store = LocalStore(tmp_path)
    store.put("ledger-chunks/old.pdf", b"%PDF old")
    store.put("ledger-chunks/old.html", b"<p>old</p>")
    store.put("ledger-chunks/new.pdf", b"%PDF new")
    now = time.time()
    for name, days in (("old.pdf", 15), ("old.html", 15), ("new.pdf", 13)):
        os.utime(tmp_path / "ledger-chunks" / name, (now - days * 86400, now - days * 86400))
    assert chunks.prune(store, now) == 2
    assert [e.key for e in store.entries("ledger-chunks/")] == ["ledger-chunks/new.pdf"]
