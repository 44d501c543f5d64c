"""Who may do what to which object: every role x action x object inside and outside the caller's
scope, with the exact status expected, run through the HTTP API on real objects.

Inside is county A (盐湖区, site a1), outside is county B (临猗县, site b1). Outside the scope an
object answers exactly as a missing one does (404 with the same body), so nobody learns what
another county has; a role that may not do an action at all gets 403 wherever the object is.
Within a role the actions run in this order on the same objects, so a state move one makes (a
round submitted) is what the next one meets (409 for a move the state no longer allows).
A county's self-inspection plan is its county team's alone: the city office, the inspectors and the
inspected side all meet the 404 of a missing plan (the city plans have their own secrecy tests).
"""

from __future__ import annotations

import pytest

from tests.authorization import objects
from tests.authorization.actions import ACTIONS, request_body

#: (role, action): (status inside the scope, status outside it)
#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


EXPECTED = {
    ("admin", "site.read"): (200, 200),
    ("admin", "site.update"): (200, 200),
    ("admin", "inspection.read"): (200, 200),
    ("admin", "issue.read"): (200, 200),
    ("admin", "issue.update"): (200, 200),
    ("admin", "issue.assign"): (200, 200),
    ("admin", "issue.verify"): (409, 409),
    ("admin", "issue.rectify"): (403, 403),
    ("admin", "issue.start"): (403, 403),
    ("admin", "photo.read"): (200, 200),
    ("admin", "photo.thumb"): (200, 200),
    ("admin", "site_photo.read"): (200, 200),
    ("admin", "ledger.read"): (200, 200),
    ("admin", "ledger.file"): (200, 200),
    ("admin", "user.update"): (200, 200),
    ("admin", "plan.read"): (404, 404),
    ("admin", "plan.adjust"): (404, 404),
    ("admin", "plan.cancel"): (404, 404),
    ("admin", "assessment.county"): (200, 200),
    ("admin", "site.status"): (200, 200),
    ("inspector", "site.read"): (200, 200),
    ("inspector", "site.update"): (403, 403),
    ("inspector", "inspection.read"): (200, 200),
    ("inspector", "issue.read"): (200, 200),
    ("inspector", "issue.update"): (403, 403),
    ("inspector", "issue.assign"): (403, 403),
    ("inspector", "issue.verify"): (409, 409),
    ("inspector", "issue.rectify"): (403, 403),
    ("inspector", "issue.start"): (403, 403),
    ("inspector", "photo.read"): (200, 200),
    ("inspector", "photo.thumb"): (200, 200),
    ("inspector", "site_photo.read"): (200, 200),
    ("inspector", "ledger.read"): (200, 200),
    ("inspector", "ledger.file"): (200, 200),
    ("inspector", "user.update"): (403, 403),
    ("inspector", "plan.read"): (404, 404),
    ("inspector", "plan.adjust"): (404, 404),
    ("inspector", "plan.cancel"): (404, 404),
    ("inspector", "assessment.county"): (200, 200),
    ("inspector", "site.status"): (403, 403),
    ("county_a", "site.read"): (200, 404),
    ("county_a", "site.update"): (403, 404),
    ("county_a", "inspection.read"): (200, 404),
    ("county_a", "issue.read"): (200, 404),
    ("county_a", "issue.update"): (200, 404),
    ("county_a", "issue.assign"): (200, 404),
    ("county_a", "issue.verify"): (403, 404),
    ("county_a", "issue.rectify"): (200, 404),
    ("county_a", "issue.start"): (409, 404),
    ("county_a", "photo.read"): (200, 404),
    ("county_a", "photo.thumb"): (200, 404),
    ("county_a", "site_photo.read"): (200, 404),
    ("county_a", "ledger.read"): (200, 404),
    ("county_a", "ledger.file"): (200, 404),
    ("county_a", "user.update"): (403, 403),
    ("county_a", "plan.read"): (200, 404),
    ("county_a", "plan.adjust"): (200, 404),
    ("county_a", "plan.cancel"): (200, 404),
    ("county_a", "assessment.county"): (403, 403),
    ("county_a", "site.status"): (403, 403),
    ("site_a1", "site.read"): (200, 404),
    ("site_a1", "site.update"): (403, 403),
    ("site_a1", "inspection.read"): (200, 404),
    ("site_a1", "issue.read"): (200, 404),
    ("site_a1", "issue.update"): (403, 404),
    ("site_a1", "issue.assign"): (403, 404),
    ("site_a1", "issue.verify"): (403, 404),
    ("site_a1", "issue.rectify"): (200, 404),
    ("site_a1", "issue.start"): (409, 404),
    ("site_a1", "photo.read"): (200, 404),
    ("site_a1", "photo.thumb"): (200, 404),
    ("site_a1", "site_photo.read"): (200, 404),
    ("site_a1", "ledger.read"): (404, 404),
    ("site_a1", "ledger.file"): (404, 404),
    ("site_a1", "user.update"): (403, 403),
    ("site_a1", "plan.read"): (404, 404),
    ("site_a1", "plan.adjust"): (404, 404),
    ("site_a1", "plan.cancel"): (404, 404),
    ("site_a1", "assessment.county"): (403, 403),
    ("site_a1", "site.status"): (403, 403),
    ("fire_a", "site.read"): (200, 404),
    ("fire_a", "site.update"): (403, 403),
    ("fire_a", "inspection.read"): (404, 404),
    ("fire_a", "issue.read"): (200, 404),
    ("fire_a", "issue.update"): (403, 404),
    ("fire_a", "issue.assign"): (403, 404),
    ("fire_a", "issue.verify"): (403, 404),
    ("fire_a", "issue.rectify"): (200, 404),
    ("fire_a", "issue.start"): (409, 404),
    ("fire_a", "photo.read"): (200, 404),
    ("fire_a", "photo.thumb"): (200, 404),
    ("fire_a", "site_photo.read"): (404, 404),
    ("fire_a", "ledger.read"): (404, 404),
    ("fire_a", "ledger.file"): (404, 404),
    ("fire_a", "user.update"): (403, 403),
    ("fire_a", "plan.read"): (404, 404),
    ("fire_a", "plan.adjust"): (404, 404),
    ("fire_a", "plan.cancel"): (404, 404),
    ("fire_a", "assessment.county"): (403, 403),
    ("fire_a", "site.status"): (403, 403),
    ("fire_city", "site.read"): (200, 200),
    ("fire_city", "site.update"): (403, 403),
    ("fire_city", "inspection.read"): (404, 404),
    ("fire_city", "issue.read"): (200, 200),
    ("fire_city", "issue.update"): (403, 403),
    ("fire_city", "issue.assign"): (403, 403),
    ("fire_city", "issue.verify"): (403, 403),
    ("fire_city", "issue.rectify"): (200, 200),
    ("fire_city", "issue.start"): (409, 409),
    ("fire_city", "photo.read"): (200, 200),
    ("fire_city", "photo.thumb"): (200, 200),
    ("fire_city", "site_photo.read"): (404, 404),
    ("fire_city", "ledger.read"): (404, 404),
    ("fire_city", "ledger.file"): (404, 404),
    ("fire_city", "user.update"): (403, 403),
    ("fire_city", "plan.read"): (404, 404),
    ("fire_city", "plan.adjust"): (404, 404),
    ("fire_city", "plan.cancel"): (404, 404),
    ("fire_city", "assessment.county"): (403, 403),
    ("fire_city", "site.status"): (403, 403),
}
ROLES = list(dict.fromkeys(role for role, _ in EXPECTED))
#: an id no object has, by kind
MISSING = {"site": 999_999, "issue": 999_999, "user": 999_999, "county": 999_999,
           "plan": "00000000-0000-4000-8000-000000000005",
           "planned_visit": "00000000-0000-4000-8000-000000000005/visits/00000000-0000-4000-8000-000000000006", "inspection": "00000000-0000-4000-8000-000000000001",
           "photo": "00000000-0000-4000-8000-000000000002", "site_photo": "00000000-0000-4000-8000-000000000003",
           "ledger": "00000000-0000-4000-8000-000000000004"}


def test_the_table_covers_every_role_and_action():
    assert {(r, a) for r in ROLES for a in ACTIONS} == set(EXPECTED)


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_gets_exactly_the_expected_answer_inside_and_outside_its_scope(world, role):
    o = await objects.make(world)
    client = await world.client(role)
    got, missing_differs = {}, []
    for action, (kind, method, path, _) in ACTIONS.items():
        answers = []
        for scope in ("in", "out", "missing"):
            ident = MISSING[kind] if scope == "missing" else o.ids[kind][scope]
            r = await getattr(client, method)(path.format(id=ident), **({"json": request_body(action, ident)} if method != "get" else {}))
            answers.append(r)
        got[(role, action)] = (answers[0].status_code, answers[1].status_code)
        out, missing = answers[1], answers[2]
        if out.status_code == 404 and (missing.status_code, missing.json()) != (404, out.json()):
            missing_differs.append(action)
    wrong = {k: (v, EXPECTED[k]) for k, v in got.items() if v != EXPECTED[k]}
    assert not wrong, f"(got, expected) where they differ: {wrong}"
    assert not missing_differs, f"outside the scope answers unlike a missing object: {missing_differs}"


@pytest.mark.parametrize(("role", "sees"), [
    ("admin", {"in", "out"}), ("inspector", {"in", "out"}), ("county_a", {"in"}), ("site_a1", {"in"}),
    ("fire_a", {"in"}), ("fire_city", {"in", "out"}),
])
async def test_issue_and_site_lists_hold_only_what_the_role_may_read(world, role, sees):
    o = await objects.make(world)
    client = await world.client(role)
    issues = {i["id"] for i in (await client.get("/api/issues", params={"limit": 500})).json()["items"]}
    assert issues == {o.ids["issue"][s] for s in sees}
    sites = {s["id"] for s in (await client.get("/api/sites", params={"limit": 500})).json()["items"]}
    assert o.ids["site"]["in"] in sites and (o.ids["site"]["out"] in sites) == ("out" in sees or role == "fire_city")


async def test_an_inspectors_planned_visits_reach_that_inspector_only(world):
    """/api/plans/mine holds the caller's own planned visits: another inspector's plan is not theirs."""
    from server.lib import clock

    clock.freeze(objects.DAY)
    admin = await world.client("admin")
    r = await admin.post("/api/users", json={"username": "inspector2", "display_name": "第二督导", "password": "0123456789ab",
                                             "role": "city_inspector"})
    assert r.status_code == 201, r.text
    plan = await admin.post("/api/plans", json={"month": "2026-12", "count": 3, "inspector_ids": [r.json()["id"]], "seed": "table"})
    assert plan.status_code == 200, plan.text
    days = sorted(v["planned_on"] for v in plan.json()["visits"])
    from datetime import date, datetime, time

    clock.freeze(datetime.combine(date.fromisoformat(days[-1]), time(8), tzinfo=clock.SHANGHAI))
    second = await world.client()
    assert (await second.post("/api/auth/login", json={"username": "inspector2", "password": "0123456789ab"})).status_code == 200
    second.headers["X-CSRF-Token"] = (await second.get("/api/auth/me")).json()["csrf_token"]
    assert len((await second.get("/api/plans/mine")).json()) == 3
    assert (await (await world.client("inspector")).get("/api/plans/mine")).json() == []
    for role in ("county_a", "site_a1", "fire_a", "fire_city"):
        r = await (await world.client(role)).get("/api/plans/mine")
        assert r.status_code in (403, 404) or r.json() == [], (role, r.status_code)
        assert (await (await world.client(role)).get(f"/api/plans/{plan.json()['uuid']}")).status_code in (403, 404)


async def test_a_draft_is_its_inspectors_alone(world):
    """A second city inspector meets another inspector's draft as a missing visit (404, the same body),
    in the list too; the draft's own inspector reads it."""
    from server.lib import clock
    from tests.inspections.helpers import body, new_uuid

    clock.freeze(objects.DAY)
    admin, inspector = await world.client("admin"), await world.client("inspector")
    r = await admin.post("/api/users", json={"username": "inspector2", "display_name": "第二督导", "password": "0123456789ab",
                                             "role": "city_inspector"})
    assert r.status_code == 201, r.text
    draft = new_uuid()
    r = await inspector.put(f"/api/inspections/{draft}", json=body(world.sites["a1"], *objects.A1, state="draft"))
    assert r.status_code == 200 and r.json()["state"] == "draft", r.text
    assert (await inspector.get(f"/api/inspections/{draft}")).status_code == 200
    second = await world.client()
    assert (await second.post("/api/auth/login", json={"username": "inspector2", "password": "0123456789ab"})).status_code == 200
    second.headers["X-CSRF-Token"] = (await second.get("/api/auth/me")).json()["csrf_token"]
    theirs, missing = await second.get(f"/api/inspections/{draft}"), await second.get(f"/api/inspections/{MISSING['inspection']}")
    assert (theirs.status_code, theirs.json()) == (404, missing.json())
    listed = await second.get("/api/inspections")
    assert listed.status_code in (200, 404) and draft not in listed.text


async def test_a_site_manager_reads_its_own_site_only_not_the_other_sites_of_its_county(world):
    """Site a2 is in site_a1's county: its site, visit, issue and photos answer site_a1 as missing ones
    do, and its issue is not in site_a1's list; the county team reads them."""
    from server.lib import clock
    from tests.inspections.helpers import new_uuid, upload_photo, visit_naming

    clock.freeze(objects.DAY)
    inspector = await world.client("inspector")
    a2 = world.sites["a2"]
    photo = await upload_photo(inspector, a2)
    uuid = new_uuid()
    visit = await inspector.put(f"/api/inspections/{uuid}", json=visit_naming(a2, 35.05, 111.05, photo))
    assert visit.status_code == 200, visit.text
    issue = visit.json()["issues"][0]["id"]
    paths = {"site": (f"/api/sites/{a2}", f"/api/sites/{MISSING['site']}"),
             "inspection": (f"/api/inspections/{uuid}", f"/api/inspections/{MISSING['inspection']}"),
             "issue": (f"/api/issues/{issue}", f"/api/issues/{MISSING['issue']}"),
             "photo": (f"/api/photos/{photo}", f"/api/photos/{MISSING['photo']}"),
             "thumb": (f"/api/photos/{photo}/thumb", f"/api/photos/{MISSING['photo']}/thumb")}
    site, county = await world.client("site_a1"), await world.client("county_a")
    for kind, (path, missing) in paths.items():
        other, none = await site.get(path), await site.get(missing)
        assert (other.status_code, other.json()) == (404, none.json()), (kind, other.status_code, other.text)
        assert (await county.get(path)).status_code == 200, kind
    assert issue not in {i["id"] for i in (await site.get("/api/issues", params={"limit": 500})).json()["items"]}
    assert a2 not in {s["id"] for s in (await site.get("/api/sites", params={"limit": 500})).json()["items"]}
