"""Stateless nodes: two ``ducha serve`` and two ``ducha worker`` processes on different ports share
the PostgreSQL database and the object store (a local S3-protocol server) and nothing else. A
session made on one node works on the other; visits go in through both; a photo put in through
one is served by the other; a ledger of three PDF chunks is spread over both workers, one of
which is killed in the middle of it, and the other finishes it: once, with one file."""

from __future__ import annotations

import asyncio
import hashlib
import re

import pytest

from server.audit.tables import AuditEvent
from server.lib import db
from server.settings import Settings, use_settings
from tests.inspections.helpers import body, new_uuid
from tests.jobs.nodes import Node, Worker
from tests.ledgers.helpers import A1, B1, many_issues
from tests.photos.fixtures import photo

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


@pytest.fixture
def queue_env(s3_storage, monkeypatch):
    """The queue on, a short lease (so a killed worker's job is taken again within seconds)."""
    if not db.is_postgres():
        pytest.skip("the distributed queue runs on PostgreSQL")
    monkeypatch.setenv("DUCHA_QUEUE", "postgres")
    monkeypatch.setenv("DUCHA_LEDGER_LEASE_SECONDS", "3")
    use_settings(Settings.from_env())
    return s3_storage


async def _until(check, timeout: float, what: str):
    for _ in range(int(timeout * 5)):
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def test_two_nodes_two_workers_and_a_worker_killed_mid_ledger(queue_env, world):
    server, bucket, prefix = queue_env
    nodes = [await asyncio.to_thread(Node), await asyncio.to_thread(Node)]
    workers: list[Worker] = []
    try:
        inspector = await nodes[0].client("inspector")
        elsewhere = await nodes[1].client(cookies=inspector.cookies, csrf=inspector.headers["X-CSRF-Token"])
        assert (await elsewhere.get("/api/auth/me")).json()["username"] == "inspector"  # one session, any node

        data = photo("gps/DSCN0012.jpg")
        uuid = new_uuid()
        put = await elsewhere.put(f"/api/photos/{uuid}", content=data, params={
            "sha256": hashlib.sha256(data).hexdigest(), "site_id": world.sites["a1"], "lat": A1[0], "lon": A1[1], "accuracy": 10})
        assert put.status_code == 200, put.text
        assert (await inspector.get(f"/api/photos/{uuid}/original")).content == data  # put in on node 2, served by node 1
        visits = [(inspector, "a1", A1), (elsewhere, "b1", B1)]
        for client, site, (lat, lon) in visits:
            r = await client.put(f"/api/inspections/{new_uuid()}", json=body(world.sites[site], lat, lon, fail=["smoke_alarms"]))
            assert r.status_code == 200, r.text
        await many_issues(world, 620)  # three chunks of the PDF (250 lines each)

        # both workers wait for work; one of them dies as soon as it has rendered one chunk
        doomed, survivor = Worker("doomed", DUCHA_TEST_CRASH_AT="ledger-mid-render"), Worker("survivor")
        workers += [doomed, survivor]
        admin = await nodes[0].client("admin")
        r = await admin.post("/api/ledgers", json={"kind": "issues"})
        assert r.status_code == 202, r.text
        job = r.json()
        assert await asyncio.to_thread(doomed.wait, 240) == -9  # killed with part of the ledger rendered
        other_admin = await nodes[1].client("admin")

        async def finished():
            r = await other_admin.get(f"/api/ledgers/{job['uuid']}")
            assert r.status_code == 200, r.text
            return r.json() if r.json()["state"] in ("done", "failed") else None

        done = await _until(finished, 240, "the surviving worker to finish the ledger")
        assert done["state"] == "done" and done["rows_done"] == done["rows_total"] == 622 and done["pages"] > 2
        f = await other_admin.get(done["file_url"])
        assert f.status_code == 200 and hashlib.sha256(f.content).hexdigest() == done["sha256"]
        assert server.keys(bucket, f"{prefix}/ledgers/") == [f"{prefix}/ledgers/{job['uuid']}.pdf"]  # one file
        # the ledger was split across both workers: each rendered at least one chunk, and no chunk
        # was rendered twice (a worker that takes the job over renders again only chunks that print
        # something new: the first and last print the minute the ledger was made)
        logs = {w.name: re.findall(r"台账分块 ([0-9a-f]{12}) 已生成", w.stop()) for w in (doomed, survivor)}
        assert logs["doomed"] and logs["survivor"], logs
        rendered = logs["doomed"] + logs["survivor"]
        stored = [k.rsplit("/", 1)[1][:12] for k in server.keys(bucket, f"{prefix}/ledger-chunks/") if k.endswith(".pdf")]
        assert sorted(rendered) == sorted(stored) and len(set(rendered)) == len(rendered) >= 3, (logs, stored)
        moves = [e["action"] for e in await AuditEvent.select(AuditEvent.action).where(
            (AuditEvent.object_id == job["uuid"]) & AuditEvent.action.like("ledger.%")).order_by(AuditEvent.id)]
        # the doomed worker either helped with a chunk, or took the job and lost it when its lease lapsed
        assert moves in (["ledger.request", "ledger.running", "ledger.done"],
                         ["ledger.request", "ledger.running", "ledger.queued", "ledger.running", "ledger.done"]), moves
        for client in (inspector, elsewhere, admin, other_admin):
            await client.aclose()
    finally:
        for p in [*workers, *nodes]:
            await asyncio.to_thread(p.stop)
