"""批量分派 at a desk: many issues at once, all or nothing, in scope."""

import asyncio

from server.audit.tables import AuditEvent
from tests.issues.test_queries import B1, _visit


async def _issue(world, issue_id):
    admin = await world.client("admin")
    return (await admin.get(f"/api/issues/{issue_id}")).json()


async def test_a_county_team_assigns_a_department_and_a_person_to_several_issues_at_once(world):
    ids = await _visit(world, n=3)
    county = await world.client("county_a")
    body = {"issue_ids": ids, "department_id": world.departments["zhujian"], "responsible_person": "王五"}
    r = await county.post("/api/issues/assignment", json=body)
    assert r.status_code == 200, r.text
    assert r.json() == {"issues": 3, "changed": 3}
    for i in ids:
        got = await _issue(world, i)
        assert got["department_id"] == world.departments["zhujian"] and got["responsible_person"] == "王五"
    events = await AuditEvent.select().where(AuditEvent.action == "issue.update")
    assert sorted(int(e["object_id"]) for e in events) == sorted(ids)
    # the same again changes nothing and records nothing
    again = await county.post("/api/issues/assignment", json=body)
    assert again.json() == {"issues": 3, "changed": 0}
    assert await AuditEvent.count().where(AuditEvent.action == "issue.update") == 3


async def test_one_issue_out_of_scope_refuses_the_whole_batch_and_writes_nothing(world):
    mine = await _visit(world, n=2)
    other = await _visit(world, "b1", B1, n=1)
    county = await world.client("county_a")
    r = await county.post("/api/issues/assignment", json={"issue_ids": [*mine, *other], "responsible_person": "王五"})
    # answered as for a missing issue: another county's issue is not named, nor is it confirmed to exist
    missing = await county.post("/api/issues/assignment", json={"issue_ids": [*mine, 999_999], "responsible_person": "王五"})
    assert r.status_code == missing.status_code == 404 and r.json() == missing.json()
    for i in mine:
        assert (await _issue(world, i))["responsible_person"] in ("", None)
    assert await AuditEvent.count().where(AuditEvent.action == "issue.update") == 0


async def test_a_refusal_names_the_issue_and_nothing_is_written(world):
    ids = await _visit(world, n=2)
    county = await world.client("county_a")
    # the deadline is the city office's to set: the county team's whole batch is refused
    r = await county.post("/api/issues/assignment", json={"issue_ids": ids, "responsible_person": "王五", "deadline": "2026-12-31"})
    assert r.status_code == 403
    first = await _issue(world, ids[0])
    assert first["number"] in r.json()["message"] and "整改期限只能由市级管理员调整" in r.json()["message"]
    assert r.json()["detail"]["issue_id"] == ids[0]
    assert (await _issue(world, ids[1]))["responsible_person"] in ("", None)
    admin = await world.client("admin")
    r = await admin.post("/api/issues/assignment", json={"issue_ids": ids, "deadline": "2026-12-31"})
    assert r.status_code == 200
    for i in ids:
        assert (await _issue(world, i))["deadline"] == "2026-12-31"


async def test_bad_batches_get_a_clear_400(world):
    ids = await _visit(world, n=1)
    county = await world.client("county_a")
    for body, words in [({"issue_ids": ids}, "请至少选择一项"), ({"issue_ids": [], "responsible_person": "x"}, ""),
                        ({"issue_ids": [ids[0], ids[0]], "responsible_person": "x"}, "重复"),
                        ({"issue_ids": ids, "department_id": 999999}, "部门不存在")]:
        r = await county.post("/api/issues/assignment", json=body)
        assert r.status_code in (400, 422), (body, r.text)
        assert words in r.json()["message"]
    inspector = await world.client("inspector")
    r = await inspector.post("/api/issues/assignment", json={"issue_ids": ids, "responsible_person": "x"})
    assert r.status_code == 403 and "只有县级专班可以分派问题" in r.json()["message"]


async def test_two_batches_and_a_single_edit_at_once_all_land_whole(world):
    ids = await _visit(world, n=3)
    county, other, third = [await world.client("county_a") for _ in range(3)]
    a, b, c = await asyncio.gather(
        county.post("/api/issues/assignment", json={"issue_ids": ids, "responsible_person": "甲"}),
        other.post("/api/issues/assignment", json={"issue_ids": list(reversed(ids)), "responsible_person": "乙"}),
        third.patch(f"/api/issues/{ids[-1]}", json={"department_id": world.departments["zhujian"]}))
    assert (a.status_code, b.status_code, c.status_code) == (200, 200, 200), (a.text, b.text, c.text)
    got = [await _issue(world, i) for i in ids]
    assert len({g["responsible_person"] for g in got}) == 1  # one batch came after the other: never a mix
    assert got[-1]["department_id"] == world.departments["zhujian"]
