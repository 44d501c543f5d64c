"""The migration that numbers the issues raised before numbers existed: by county and year found
(Asia/Shanghai), in the order found, and the counters go on from there."""

import importlib
from datetime import UTC, datetime

import pytest

from server.issues.tables import Issue, IssueCounter
from server.lib import clock
from tests.inspections.helpers import body, check_items, new_uuid
from tests.issues.test_lifecycle import A1

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


B1 = (35.14, 110.77)
migration = importlib.import_module("server.issues.piccolo_migrations.issues_2026_12_01t03_21_00_000000")


async def test_existing_issues_are_numbered_in_the_order_found_per_county_and_year(world):
    # 31 Dec 2025 17:00 UTC is 1 Jan 2026 in Shanghai: that issue belongs to 2026
    items = check_items(n=5)  # a different item each visit: four issues, no re-finding
    for n, (at, site, place) in enumerate(((datetime(2025, 12, 30, 2, 0, tzinfo=UTC), "a1", A1),
                                           (datetime(2025, 12, 31, 17, 0, tzinfo=UTC), "a1", A1),
                                           (datetime(2026, 3, 1, 2, 0, tzinfo=UTC), "b1", B1),
                                           (datetime(2026, 3, 2, 2, 0, tzinfo=UTC), "a1", A1))):
        clock.freeze(at)
        inspector = await world.client("inspector")
        r = await inspector.put(f"/api/inspections/{new_uuid()}", json=body(world.sites[site], *place, fail=[items[n]]))
        assert r.status_code == 200, r.text
    # as before the migration: no numbers, no counters
    await Issue.update({Issue.number: None}, force=True)
    await IssueCounter.delete(force=True)

    await migration.number_existing()

    rows = await Issue.select(Issue.number).order_by(Issue.found_at)
    assert [r["number"] for r in rows] == ["盐湖-2025-0001", "盐湖-2026-0001", "临猗-2026-0001", "盐湖-2026-0002"]
    clock.freeze(datetime(2026, 3, 3, 2, 0, tzinfo=UTC))
    inspector = await world.client("inspector")
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=body(world.sites["a1"], *A1, fail=[items[4]]))
    assert r.json()["issues"][0]["number"] == "盐湖-2026-0003"  # the counter goes on after the migrated ones
