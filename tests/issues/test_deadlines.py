"""Deadlines through the API on a set clock: on the deadline day an issue is due (到期), not late;
from the next day (Shanghai date, even at 00:30 when UTC is still on the deadline day) it is
overdue in the issue, the overdue filter and the counts; 催办 from three days past, 报市办 (the city
office's inbox) from seven; a closed issue is never overdue."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from server.lib import clock
from tests.inspections.helpers import new_uuid

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


DEADLINE = date(2026, 12, 31)  # the year turns in the middle of the ladder


def at(days: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(DEADLINE + timedelta(days=days), time(hour, minute), tzinfo=clock.SHANGHAI)


async def _issue(world) -> int:
    clock.freeze(datetime(2026, 12, 1, 10, 0, tzinfo=clock.SHANGHAI))
    county = await world.client("county_a")
    r = await county.post("/api/issues", json={"uuid": new_uuid(), "source": "self_check", "site_id": world.sites["a1"],
                                               "area": "质量安全", "description": "3号楼屋面渗漏", "deadline": DEADLINE.isoformat()})
    assert r.status_code == 200, r.text
    return r.json()["id"]


@pytest.mark.parametrize(("when", "overdue", "level", "name", "escalated"), [
    (at(-1), False, 0, "", False),
    (at(0), False, 1, "到期", False),
    (at(0, 23, 59), False, 1, "到期", False),
    (at(1, 0, 30), True, 1, "到期", False),  # 00:30 on 1 Jan in Shanghai: UTC is still 31 Dec
    (at(1), True, 1, "到期", False),
    (at(2), True, 1, "到期", False),
    (at(3), True, 2, "催办", False),
    (at(6), True, 2, "催办", False),
    (at(7), True, 3, "报市办", True),
    (at(30), True, 3, "报市办", True),
])
async def test_the_ladder_on_each_day(world, when, overdue, level, name, escalated):
    issue = await _issue(world)
    clock.freeze(when)
    admin = await world.client("admin")
    got = (await admin.get(f"/api/issues/{issue}")).json()
    assert (got["overdue"], got["escalation"], got["escalation_name"]) == (overdue, level, name)
    late = {i["id"] for i in (await admin.get("/api/issues", params={"overdue": "true"})).json()["items"]}
    on_time = {i["id"] for i in (await admin.get("/api/issues", params={"overdue": "false"})).json()["items"]}
    assert (issue in late, issue in on_time) == (overdue, not overdue)
    counts = {c["county_id"]: c for c in (await admin.get("/api/issues/counts")).json()}
    assert counts[world.counties["盐湖区"]]["overdue"] == int(overdue)
    inbox = (await admin.get("/api/issues/inbox")).json()
    assert (issue in {i["id"] for i in inbox["escalated"]}) == escalated
    mine = (await (await world.client("county_a")).get(f"/api/issues/{issue}")).json()
    assert (mine["overdue"], mine["escalation_name"]) == (overdue, name)


async def test_a_closed_issue_is_never_overdue(world):
    from tests.issues.test_lifecycle import _round_with_photo

    issue = await _issue(world)
    site = await world.client("site_a1")
    assert (await site.post(f"/api/issues/{issue}/rectifications", json=await _round_with_photo(site))).status_code == 200
    inspector = await world.client("inspector")
    assert (await inspector.post(f"/api/issues/{issue}/verification", json={"accept": True})).json()["state"] == "closed"
    clock.freeze(at(10))
    admin = await world.client("admin")
    got = (await admin.get(f"/api/issues/{issue}")).json()
    assert (got["overdue"], got["escalation"]) == (False, 0)
    assert (await admin.get("/api/issues", params={"overdue": "true"})).json()["total"] == 0
    assert (await admin.get("/api/issues/inbox")).json()["escalated"] == []
