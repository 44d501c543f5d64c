"""Two moves at once on the same issue: one wins, the other gets 409, and the record stays whole.

The requests run at the same time on separate database connections (PostgreSQL: the pool; SQLite:
one writer at a time), which is how two phones or a phone and a desk reach the server.
"""

import asyncio
import contextvars

import pytest

from server.issues import service
from server.issues.tables import Issue, Rectification
from server.lib import db
from tests.inspections.helpers import body, check_items, new_uuid
from tests.issues.test_lifecycle import A1, _issue, _round, _round_with_photo


async def _submitted(world, item: str) -> int:
    inspector = await world.client("inspector")
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=body(world.sites["a1"], *A1, fail=[item]))
    issue = r.json()["issues"][0]["id"]
    site = await world.client("site_a1")
    r = await site.post(f"/api/issues/{issue}/rectifications", json=await _round_with_photo(site))
    assert r.json()["state"] == "submitted"
    return issue


async def test_accept_and_reject_at_once_one_wins_and_the_record_is_consistent(world):
    for item in check_items(n=3):  # three items: three issues, not re-findings of one
        issue = await _submitted(world, item)
        a, b = await world.client("inspector"), await world.client("admin")
        accept, reject = await asyncio.gather(
            a.post(f"/api/issues/{issue}/verification", json={"accept": True, "comment": "已整改到位"}),
            b.post(f"/api/issues/{issue}/verification", json={"accept": False, "comment": "仍有杂物"}),
        )
        assert sorted([accept.status_code, reject.status_code]) == [200, 409], (accept.text, reject.text)
        loser = accept if accept.status_code == 409 else reject
        assert loser.json()["error"] == "illegal_move" and "不能" in loser.json()["message"]
        row = await Issue.select().where(Issue.id == issue).first()
        rounds = await Rectification.select().where(Rectification.issue == issue)
        if accept.status_code == 200:
            assert row["state"] == "closed" and row["closed_at"] is not None
            assert [r["outcome"] for r in rounds] == ["accepted"]
        else:
            assert row["state"] == "rectifying" and row["closed_at"] is None
            assert [r["outcome"] for r in rounds] == ["rejected"]


async def test_rounds_sent_at_once_get_one_number_each_and_only_one_is_taken(world):
    issue = await _issue(world)
    clients = [await world.client(u) for u in ("site_a1", "county_a", "site_a1")]
    answers = await asyncio.gather(*(c.post(f"/api/issues/{issue}/rectifications", json=_round(measures=f"第{n}种做法"))
                                     for n, c in enumerate(clients)))
    assert sorted(r.status_code for r in answers) == [200, 409, 409], [r.text for r in answers]
    assert [r["round"] for r in await Rectification.select().where(Rectification.issue == issue)] == [1]

    # later rounds, each after a send-back, are numbered on: 1, 2, 3
    inspector, site = await world.client("inspector"), clients[0]
    for _ in range(2):
        r = await inspector.post(f"/api/issues/{issue}/verification", json={"accept": False, "comment": "未整改到位"})
        assert r.status_code == 200
        r = await site.post(f"/api/issues/{issue}/rectifications", json=_round())
        assert r.status_code == 200
    assert [x["round"] for x in r.json()["rounds"]] == [1, 2, 3]


async def test_the_same_round_retried_at_once_is_recorded_once(world):
    issue = await _issue(world)
    site = await world.client("site_a1")
    same = _round()
    answers = await asyncio.gather(*(site.post(f"/api/issues/{issue}/rectifications", json=same) for _ in range(3)))
    assert [r.status_code for r in answers] == [200, 200, 200], [r.text for r in answers]
    assert await Rectification.count().where(Rectification.issue == issue) == 1


@pytest.mark.own_clock
async def test_a_retry_that_reads_the_issue_after_its_twin_committed_is_answered_not_refused(world, monkeypatch):
    """The interleaving CI once met on PostgreSQL: the second copy looks for its round (not there
    yet), its twin then commits the whole round, and the copy reads an issue already 待核查. It must
    answer as the twin did, not 409. SQLite runs one writer at a time, so the copy cannot start before
    the twin ends there."""
    if not db.is_postgres():
        pytest.skip("SQLite's writers never interleave")
    issue = await _issue(world)
    site, twin = await world.client("site_a1"), await world.client("site_a1")
    same = _round()
    load, seen = service._load, []

    async def load_after_the_twin(p, issue_id):
        if not seen:  # the first copy to read the issue lets its twin run whole first
            seen.append("twin")
            # its own task, out of this request's context: Piccolo keeps the open transaction there
            sent = asyncio.create_task(twin.post(f"/api/issues/{issue_id}/rectifications", json=same), context=contextvars.Context())
            seen.append((await sent).status_code)
        return await load(p, issue_id)

    monkeypatch.setattr(service, "_load", load_after_the_twin)
    r = await site.post(f"/api/issues/{issue}/rectifications", json=same)
    assert seen == ["twin", 200] and r.status_code == 200, r.text
    assert r.json()["state"] == "submitted" and [x["round"] for x in r.json()["rounds"]] == [1]
    assert await Rectification.count().where(Rectification.issue == issue) == 1


async def test_a_move_made_on_a_stale_read_is_refused_on_either_engine(world, monkeypatch):
    """Compare-and-set on the state, on SQLite too: a request that read the issue before another
    move committed (on PostgreSQL two transactions interleave; here the read is made stale on
    purpose) must not move it again: 409, one move recorded."""
    from server.audit.tables import AuditEvent

    issue = await _issue(world)
    site, county = await world.client("site_a1"), await world.client("county_a")
    load = service._load

    async def read_before_the_other_move(p, issue_id):
        row = await load(p, issue_id)
        return {**row, "state": "open"}  # as it was read before the county's start committed

    assert (await county.post(f"/api/issues/{issue}/start")).status_code == 200
    monkeypatch.setattr(service, "_load", read_before_the_other_move)
    r = await site.post(f"/api/issues/{issue}/start")
    assert r.status_code == 409 and r.json()["error"] == "illegal_move", r.text
    starts = await AuditEvent.count().where((AuditEvent.action == "issue.start") & (AuditEvent.object_id == str(issue)))
    assert starts == 1
