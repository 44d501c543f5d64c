"""Stateless nodes: two ``ducha serve`` and two ``ducha worker`` processes on different ports share
the PostgreSQL database and the object store (a local S3-protocol server) and nothing else. A
session made on one node works on the other; visits go in through both; a photo put in through
one is served by the other; a ledger of several hundred lines is taken by a worker that is killed
in the middle of it, and the other worker finishes it: once, with one file."""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from server.audit.tables import AuditEvent
from server.ledgers.tables import LedgerJob
from server.lib import db
from server.settings import Settings, use_settings
from tests.inspections.helpers import body, new_uuid
from tests.jobs.nodes import Node, Worker
from tests.ledgers.helpers import A1, B1, many_issues
from tests.photos.fixtures import photo


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
        await many_issues(world, 320)  # more than one chunk of the PDF (250 lines)

        doomed = Worker("doomed", DUCHA_TEST_CRASH_AT="ledger-mid-render")
        workers.append(doomed)
        admin = await nodes[0].client("admin")
        r = await admin.post("/api/ledgers", json={"kind": "issues"})
        assert r.status_code == 202, r.text
        job = r.json()
        assert await asyncio.to_thread(doomed.wait, 180) == -9  # killed with part of the ledger rendered
        row = await LedgerJob.select().where(LedgerJob.uuid == job["uuid"]).first()
        assert row["state"] == "running" and 0 < row["rows_done"] < row["rows_total"] == 322
        assert not server.keys(bucket, f"{prefix}/ledgers/")

        workers.append(Worker("survivor"))
        other_admin = await nodes[1].client("admin")

        async def finished():
            got = (await other_admin.get(f"/api/ledgers/{job['uuid']}")).json()
            return got if got["state"] in ("done", "failed") else None

        done = await _until(finished, 180, "the surviving worker to finish the ledger")
        assert done["state"] == "done" and done["rows_done"] == done["rows_total"] == 322 and done["pages"] > 1
        f = await other_admin.get(done["file_url"])
        assert f.status_code == 200 and hashlib.sha256(f.content).hexdigest() == done["sha256"]
        assert server.keys(bucket, f"{prefix}/ledgers/") == [f"{prefix}/ledgers/{job['uuid']}.pdf"]  # one file
        moves = [e["action"] for e in await AuditEvent.select(AuditEvent.action).where(
            (AuditEvent.object_id == job["uuid"]) & AuditEvent.action.like("ledger.%")).order_by(AuditEvent.id)]
        assert moves == ["ledger.request", "ledger.running", "ledger.queued", "ledger.running", "ledger.done"], moves
        for client in (inspector, elsewhere, admin, other_admin):
            await client.aclose()
    finally:
        for p in [*workers, *nodes]:
            await asyncio.to_thread(p.stop)
