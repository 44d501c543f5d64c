"""The assessment over HTTP: indicators from real visits, plans and issues; the city only."""

from __future__ import annotations

from datetime import datetime

from server.lib import clock
from tests.inspections.helpers import body, new_uuid
from tests.ledgers.helpers import wait_done


async def test_indicators_score_and_rank_from_real_data(world):
    clock.freeze(datetime(2026, 12, 5, 10, 0, tzinfo=clock.SHANGHAI))
    admin = await world.client("admin")
    plan = await admin.post("/api/plans", json={"month": "2026-12", "count": 3, "inspector_ids": [world.users["inspector"]], "seed": "seed-1"})
    assert plan.status_code == 200
    inspector = await world.client("inspector")
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=body(world.sites["a1"], 35.03, 111.01, fail=["extinguishers_present"]))
    assert r.status_code == 200, r.text
    result = (await admin.get("/api/assessment", params={"from": "2026-12-01", "to": "2026-12-31"})).json()
    yanhu = next(c for c in result["counties"] if c["county_name"] == "盐湖区")
    assert yanhu["visits_made"] == 1 and yanhu["issues_found"] == 1 and yanhu["visits_planned"] == 2
    assert yanhu["visits_planned_done"] == 1 and yanhu["rates"]["plan_completion"] == 0.5
    assert yanhu["rates"]["overdue_rate"] == 0.0 and yanhu["rates"]["self_coverage"] == 0.0
    # the deadline (12-12) has not come yet on 12-05: nothing due for on-time closure
    # 20×0.5 + 30 (nothing due) + 20×(1−0) + 10×(1−0) + 20×0 = 70
    assert yanhu["score"] == 70.0
    scores = [c["score"] for c in result["counties"]]
    assert scores == sorted(scores, reverse=True) and sum(c["flagged"] for c in result["counties"]) == 2
    assert [i["key"] for i in result["rules"]][:2] == ["plan_completion", "on_time_closure"]
    county = await world.client("county_a")
    assert (await county.get("/api/assessment")).status_code == 403
    assert (await county.post("/api/ledgers", json={"kind": "assessment"})).status_code == 403


async def test_assessment_as_pdf_and_spreadsheet(world):
    admin = await world.client("admin")
    for fmt in ("pdf", "xlsx"):
        r = await admin.post("/api/ledgers", json={"kind": "assessment", "format": fmt})
        job = await wait_done(admin, r.json())
        assert job["state"] == "done", job["error"]
        assert job["rows_total"] == 13  # every county ranked
