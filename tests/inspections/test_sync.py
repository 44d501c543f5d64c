"""The sync protocol: idempotent PUT by UUID, 409 on a changed submitted body, revisions."""

import asyncio

from server.inspections.tables import Inspection
from server.issues.tables import Issue
from tests.audit.helpers import assert_audited
from tests.inspections.helpers import body, check_items, new_uuid

A1 = (35.03, 111.01)


async def _put(client, uuid, data):
    return await client.put(f"/api/inspections/{uuid}", json=data)


async def test_submit_raises_one_issue_per_failed_item(world):
    client = await world.client("inspector")
    fails = check_items(n=2)
    uuid, data = new_uuid(), body(world.sites["a1"], *A1, fail=fails)
    r = await _put(client, uuid, data)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["uuid"] == uuid and out["state"] == "submitted" and out["revision"] == 1
    assert {i["item_key"] for i in out["issues"]} == set(fails)
    assert out["items_failed"] == 2 and out["items_checked"] > 2
    assert 40 < out["arrival_distance_m"] < 70  # 0.0005 degrees of latitude
    issue = await Issue.select().where(Issue.id == out["issues"][0]["id"]).output(load_json=True).first()
    assert issue["state"] == "open" and issue["county"] == world.counties["盐湖区"] and issue["department"] == world.departments["xiaofang"]
    assert issue["photos"] == data["photos"]["fire-safety"][issue["item_key"]]


async def test_same_body_again_is_the_same_result(world):
    client = await world.client("inspector")
    uuid, data = new_uuid(), body(world.sites["a1"], *A1, fail=check_items(n=1))
    first = await _put(client, uuid, data)
    second = await _put(client, uuid, data)
    assert second.status_code == 200 and second.json() == first.json()
    assert await Inspection.count() == 1 and await Issue.count() == 1


async def test_changed_body_after_submit_is_409(world):
    client = await world.client("inspector")
    uuid, data = new_uuid(), body(world.sites["a1"], *A1)
    await _put(client, uuid, data)
    data["notes"] = "改过的备注"
    r = await _put(client, uuid, data)
    assert r.status_code == 409 and r.json()["error"] == "already_submitted"
    assert r.json()["detail"]["revision"] == 1


async def test_draft_can_be_saved_many_times_then_submitted(world):
    client = await world.client("inspector")
    uuid = new_uuid()
    draft = body(world.sites["a1"], *A1, state="draft")
    draft["answers"]["fire-safety"] = dict(list(draft["answers"]["fire-safety"].items())[:2])
    r1 = await _put(client, uuid, draft)
    assert r1.status_code == 200 and r1.json()["state"] == "draft" and r1.json()["issues"] == []
    draft["notes"] = "补充"
    r2 = await _put(client, uuid, draft)
    assert r2.json()["revision"] == 2
    await assert_audited("inspection.save", uuid, actor="inspector")
    r3 = await _put(client, uuid, body(world.sites["a1"], *A1, fail=check_items(n=1)))
    assert r3.json()["state"] == "submitted" and r3.json()["revision"] == 3 and len(r3.json()["issues"]) == 1
    await assert_audited("inspection.submit", uuid, actor="inspector", issues=1)


async def test_five_identical_puts_at_once_make_one_inspection_and_one_set_of_issues(world):
    clients = [await world.client("inspector") for _ in range(5)]
    uuid, data = new_uuid(), body(world.sites["a1"], *A1, fail=check_items(n=2))
    results = await asyncio.gather(*[_put(c, uuid, data) for c in clients])
    assert [r.status_code for r in results] == [200] * 5, [r.text for r in results]
    assert len({r.text for r in results}) == 1
    assert await Inspection.count() == 1 and await Issue.count() == 2


async def test_revision_names_what_it_replaces_and_keeps_the_issues(world):
    client = await world.client("inspector")
    fails = check_items(n=2)
    old = new_uuid()
    first = (await _put(client, old, body(world.sites["a1"], *A1, fail=fails))).json()
    new = new_uuid()
    r = await _put(client, new, body(world.sites["a1"], *A1, fail=fails[:1] + check_items(n=3)[2:], replaces=old))
    assert r.status_code == 200, r.text
    rev = r.json()
    assert rev["replaces"] == old
    kept = next(i for i in first["issues"] if i["item_key"] == fails[0])
    assert kept["id"] in [i["id"] for i in rev["issues"]]  # carried over, not raised twice
    assert (await client.get(f"/api/inspections/{old}")).json()["superseded_by"] == new
    again = await _put(client, new_uuid(), body(world.sites["a1"], *A1, replaces=old))
    assert again.status_code == 409 and again.json()["error"] == "already_superseded"
