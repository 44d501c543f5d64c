"""Values no column or calendar can hold are a clear 4xx at the edge, never a 500, and nothing is
written: integers of 2^63 and beyond in a path, a query or a body; years 0001 and 9999."""

from __future__ import annotations

import pytest

from server.audit.tables import AuditEvent

HUGE = 2**63
BIGGER = 2**70


@pytest.mark.parametrize("path", [
    f"/api/issues/{HUGE}", f"/api/issues/{BIGGER}", f"/api/sites/{HUGE}", "/api/sites/0",
    f"/api/issues?county_id={HUGE}", f"/api/issues?site_id={BIGGER}", f"/api/issues?offset={HUGE}",
    f"/api/sites?offset={BIGGER}", f"/api/templates?site_id={HUGE}",
    "/api/issues?from=0001-01-01", "/api/issues?to=9999-12-31", "/api/issues/counts?from=0001-01-01",
    "/api/assessment?from=0001-01-01&to=9999-12-31", "/api/ledgers/submissions?period=0000-08",
    "/api/ledgers/submissions?period=2026-00",
])
async def test_reads_with_values_out_of_range_are_400_or_422(world, path):
    client = await world.client("admin")
    r = await client.get(path)
    assert r.status_code in (400, 422), (path, r.status_code, r.text)
    body = r.json()
    assert set(body) == {"error", "message", "detail"} and body["message"]


async def test_a_template_version_beyond_any_is_400(world):
    r = await (await world.client("inspector")).get(f"/api/templates/fire-safety/versions/{HUGE}")
    assert r.status_code == 400 and r.json()["error"] == "invalid_body"


@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", f"/api/issues/{HUGE}/rectifications", {"uuid": "e3e70682-c209-1cac-a29f-6fbed82c07cd", "measures": "x", "responsible_person": "x"}),
    ("patch", f"/api/sites/{HUGE}", {"households": 1}),
    ("patch", f"/api/users/{BIGGER}", {"active": False}),
    ("post", "/api/ledgers", {"kind": "issues", "county_id": HUGE}),
    ("post", "/api/ledgers", {"kind": "issues", "date_from": "0001-01-01"}),
    ("post", "/api/ledgers", {"kind": "issues", "date_to": "9999-12-31"}),
    ("post", "/api/sites", {"county_id": HUGE, "name": "x", "lat": 35.0, "lon": 111.0}),
    ("post", "/api/plans", {"month": "2026-12", "count": 2, "inspector_ids": [HUGE]}),
    ("post", "/api/plans", {"month": "0000-08", "count": 2, "inspector_ids": [1]}),
    ("post", "/api/plans", {"month": "2026-13", "count": 2, "inspector_ids": [1]}),
])
async def test_writes_with_values_out_of_range_are_refused_and_write_nothing(world, method, path, body):
    client = await world.client("admin")
    before = await AuditEvent.count()
    r = await getattr(client, method)(path, json=body)
    assert r.status_code in (400, 422), (path, r.status_code, r.text)
    assert r.json()["error"] in ("invalid_body", "date_out_of_range", "out_of_range", "bad_month")
    assert await AuditEvent.count() == before


async def test_an_issue_deadline_in_year_9999_is_refused_with_the_field_named(world):
    from tests.inspections.helpers import new_uuid

    county = await world.client("county_a")
    r = await county.post("/api/issues", json={"uuid": new_uuid(), "source": "self_check", "site_id": world.sites["a1"],
                                               "area": "质量安全", "description": "屋面渗漏", "deadline": "9999-12-31"})
    assert r.status_code == 400 and "整改期限" in r.json()["message"] and "2099" in r.json()["message"]


async def test_a_spreadsheet_with_control_characters_in_its_filter_is_made_or_refused_never_failed(world):
    from tests.ledgers.helpers import wait_done

    admin = await world.client("admin")
    r = await admin.post("/api/ledgers", json={"kind": "issues", "format": "xlsx", "area": "消防\x01措施\x1f"})
    if r.status_code == 202:
        job = await wait_done(admin, r.json())
        assert job["state"] == "done", job["error"]
    else:
        assert r.status_code == 422, r.text


@pytest.mark.parametrize("period", ["0000-08", "1999-12", "2026-13", "2100-01"])
async def test_a_submission_for_a_month_outside_the_programme_is_422(world, period):
    county = await world.client("county_a")
    r = await county.post("/api/ledgers/7b2b3d65-7412-4d1a-af6a-6353ff82b67c/submission", json={"period": period})
    assert r.status_code == 422 and r.json()["error"] == "bad_period", r.text
