"""The issue lifecycle: every legal and illegal move per role, rounds kept, closure needs evidence."""

import pytest

from server.issues.tables import Rectification
from tests.audit.helpers import assert_audited
from tests.inspections.helpers import (
    PENDING_SHA256,
    body,
    check_items,
    new_uuid,
    upload_photo,
)

A1 = (35.03, 111.01)


async def _issue(world, client=None):
    inspector = client or await world.client("inspector")
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=body(world.sites["a1"], *A1, fail=check_items(n=1)))
    assert r.status_code == 200, r.text
    return r.json()["issues"][0]["id"]


def _round(photo: str | None = None, **over):
    """A round whose after-photo is ``photo`` (uploaded), else one named and declared, not yet arrived."""
    after = photo or new_uuid()
    data = {"uuid": new_uuid(), "measures": "已清理楼道杂物，张贴禁止堆放告示", "responsible_person": "张三", "completed_on": "2026-03-05",
            "photos": [after], "photo_hashes": {} if photo else {after: PENDING_SHA256}}
    data.update(over)
    return data


async def _round_with_photo(client, **over):
    """A round whose after-photo has really arrived (so the issue can be closed)."""
    return _round(await upload_photo(client), **over)


async def test_rectify_reject_rectify_accept_keeps_every_round(world):
    issue = await _issue(world)
    site = await world.client("site_a1")
    inspector = await world.client("inspector")
    got = (await site.get(f"/api/issues/{issue}")).json()
    assert got["state"] == "open" and got["state_name"] == "待整改" and set(got["allowed_moves"]) == {"start", "rectify"}
    r = await site.post(f"/api/issues/{issue}/start")
    assert r.json()["state"] == "rectifying"
    await assert_audited("issue.start", issue, actor="site_a1")
    r = await site.post(f"/api/issues/{issue}/rectifications", json=_round())
    assert r.status_code == 200 and r.json()["state"] == "submitted" and r.json()["state_name"] == "待核查"
    r = await inspector.post(f"/api/issues/{issue}/verification", json={"accept": False, "comment": "楼道仍有电动车停放"})
    assert r.json()["state"] == "rectifying" and r.json()["rounds"][0]["outcome"] == "rejected"
    await assert_audited("issue.rectify", issue, actor="site_a1", round=1)
    await assert_audited("issue.reject", issue, actor="inspector", round=1)
    r = await site.post(f"/api/issues/{issue}/rectifications", json=await _round_with_photo(site, measures="设置集中充电棚，清理楼道"))
    assert r.json()["state"] == "submitted" and len(r.json()["rounds"]) == 2
    r = await inspector.post(f"/api/issues/{issue}/verification", json={"accept": True, "comment": "现场核查已整改到位"})
    out = r.json()
    assert out["state"] == "closed" and out["state_name"] == "已销号" and out["closed_by"] == world.users["inspector"]
    assert out["closed_at"] and [x["outcome"] for x in out["rounds"]] == ["rejected", "accepted"]
    assert out["rounds"][0]["measures"] == "已清理楼道杂物，张贴禁止堆放告示"  # the first round is kept, not overwritten
    assert out["allowed_moves"] == []
    await assert_audited("issue.accept", issue, actor="inspector", round=2)


@pytest.mark.parametrize("user", ["site_a1", "county_a", "fire_a"])
async def test_the_inspected_side_cannot_close(world, user):
    issue = await _issue(world)
    client = await world.client(user)
    await client.post(f"/api/issues/{issue}/rectifications", json=_round())
    r = await client.post(f"/api/issues/{issue}/verification", json={"accept": True})
    assert r.status_code == 403 and r.json()["error"] == "forbidden"


@pytest.mark.parametrize("user", ["county_b", "site_b1"])
async def test_other_county_gets_404_on_every_path(world, user):
    issue = await _issue(world)
    client = await world.client(user)
    missing = (await client.get("/api/issues/999999")).json()
    assert (await client.get(f"/api/issues/{issue}")).json() == missing
    for path, data in ((f"/api/issues/{issue}/start", None), (f"/api/issues/{issue}/rectifications", _round())):
        r = await client.post(path, json=data)
        assert r.status_code == 404 and r.json() == missing


async def test_inspector_cannot_rectify(world):
    issue = await _issue(world)
    inspector = await world.client("inspector")
    r = await inspector.post(f"/api/issues/{issue}/rectifications", json=_round())
    assert r.status_code == 403


async def test_illegal_moves_answer_409_with_the_allowed_moves(world):
    issue = await _issue(world)
    inspector = await world.client("inspector")
    r = await inspector.post(f"/api/issues/{issue}/verification", json={"accept": True})
    assert r.status_code == 409 and r.json()["error"] == "illegal_move"
    assert r.json()["detail"] == {"state": "open", "allowed": []}
    site = await world.client("site_a1")
    await site.post(f"/api/issues/{issue}/rectifications", json=_round())
    r = await site.post(f"/api/issues/{issue}/start")
    assert r.status_code == 409 and r.json()["detail"] == {"state": "submitted", "allowed": []}
    r = await site.post(f"/api/issues/{issue}/rectifications", json=_round())
    assert r.status_code == 409
    r = await inspector.post(f"/api/issues/{issue}/verification", json={"accept": True, "no_photo_reason": "已当面核实"})
    assert r.json()["state"] == "closed"
    r = await site.post(f"/api/issues/{issue}/rectifications", json=_round())
    assert r.status_code == 409 and r.json()["detail"]["state"] == "closed"


async def test_closing_without_after_photo_is_refused_unless_a_reason_is_given(world):
    issue = await _issue(world)
    site = await world.client("site_a1")
    inspector = await world.client("inspector")
    await site.post(f"/api/issues/{issue}/rectifications", json=_round(photos=[]))
    r = await inspector.post(f"/api/issues/{issue}/verification", json={"accept": True})
    assert r.status_code == 422 and r.json()["error"] == "after_photo_required"
    assert (await site.get(f"/api/issues/{issue}")).json()["state"] == "submitted"
    r = await inspector.post(f"/api/issues/{issue}/verification",
                             json={"accept": True, "no_photo_reason": "隐患已拆除，现场无可拍摄对象，已当面核实"})
    assert r.json()["state"] == "closed"


async def test_sending_back_needs_a_reason(world):
    issue = await _issue(world)
    await (await world.client("site_a1")).post(f"/api/issues/{issue}/rectifications", json=_round())
    r = await (await world.client("inspector")).post(f"/api/issues/{issue}/verification", json={"accept": False})
    assert r.status_code == 422 and r.json()["error"] == "reason_required"


async def test_a_retried_round_is_recorded_once(world):
    issue = await _issue(world)
    site = await world.client("site_a1")
    data = _round()
    first = await site.post(f"/api/issues/{issue}/rectifications", json=data)
    again = await site.post(f"/api/issues/{issue}/rectifications", json=data)
    assert again.status_code == 200 and again.json() == first.json()
    assert await Rectification.count() == 1


async def test_department_user_rectifies_what_is_assigned_to_it(world):
    issue = await _issue(world)  # a fire item: assigned to 消防
    for user in ("fire_a", "fire_city"):
        client = await world.client(user)
        assert (await client.get(f"/api/issues/{issue}")).status_code == 200
    r = await (await world.client("fire_a")).post(f"/api/issues/{issue}/rectifications", json=_round())
    assert r.status_code == 200 and r.json()["state"] == "submitted"


async def test_a_later_visit_finding_it_again_links_the_closed_issue(world):
    inspector = await world.client("inspector")
    issue = await _issue(world, inspector)
    site = await world.client("site_a1")
    await site.post(f"/api/issues/{issue}/rectifications", json=await _round_with_photo(site))
    assert (await inspector.post(f"/api/issues/{issue}/verification", json={"accept": True})).json()["state"] == "closed"
    again = await _issue(world, inspector)
    assert again != issue
    assert (await inspector.get(f"/api/issues/{again}")).json()["reopens"] == issue


async def test_county_team_verifies_when_configured(world):
    from server.app import create_app
    from tests.world import settings_with

    issue = await _issue(world)
    site = await world.client("site_a1")
    await site.post(f"/api/issues/{issue}/rectifications", json=await _round_with_photo(site))
    county = await world.client("county_a")
    assert (await county.post(f"/api/issues/{issue}/verification", json={"accept": True})).status_code == 403
    world.app = create_app(settings_with(county_verifies=True))
    county = await world.client("county_a")
    r = await county.post(f"/api/issues/{issue}/verification", json={"accept": True})
    assert r.status_code == 200 and r.json()["state"] == "closed"
