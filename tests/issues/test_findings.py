"""An issue says what was found: the values and the gap, the inspector's note, a number that stays
the same everywhere; a repeat failure is a re-finding of the open issue, not another issue."""

import re
from datetime import UTC, datetime

import pytest

from server.issues.tables import Issue, Refinding
from server.lib import clock
from tests.audit.helpers import assert_audited
from tests.inspections.helpers import body, check_items, new_uuid
from tests.issues.test_lifecycle import A1, _round_with_photo

NUMBER = re.compile(r"^盐湖-\d{4}-\d{4}$")


def _employment(world, **answers) -> dict:
    data = body(world.sites["a1"], *A1, "industry-employment", site_attrs={"registered_people": 650, "has_workshop": True})
    data["answers"]["industry-employment"].update(answers)
    return data


async def test_a_numeric_failure_says_the_values_and_the_gap(world):
    inspector = await world.client("inspector")
    data = _employment(world, workshop_jobs=10, workshop_jobs_relocated=4, households_with_labour=30, households_with_stable_worker=26,
                       workshop_minutes=26.5)
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=data)
    assert r.status_code == 200, r.text
    found = {i["item_key"]: i["description"] for i in r.json()["issues"]}
    assert found["workshop_jobs_relocated"] == "搬迁劳动力就业岗位4个，占岗位总数10个的40%，低于50%"
    assert found["households_with_stable_worker"] == "有劳动能力的搬迁脱贫户30户中，26户有稳定就业劳动力，4户没有"
    assert found["workshop_minutes"] == "车间工坊到安置点约26.5分钟，超出20分钟生活圈（多6.5分钟）"
    ids = {i["item_key"]: i["id"] for i in r.json()["issues"]}
    issue = (await inspector.get(f"/api/issues/{ids['households_with_stable_worker']}")).json()
    assert issue["requirement"] == "其中至少一人稳定就业的户数" != issue["description"]  # the requirement is kept apart


async def test_a_check_failure_with_a_note_says_where_and_the_site_manager_reads_it(world):
    inspector = await world.client("inspector")
    item = check_items(n=1)[0]
    data = body(world.sites["a1"], *A1, fail=[item])
    data["item_notes"] = {"fire-safety": {item: "3号楼2单元楼道堆放杂物"}}
    data["severities"] = {"fire-safety": {item: "critical"}}
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=data)
    assert r.status_code == 200, r.text
    raised = r.json()["issues"][0]
    assert NUMBER.match(raised["number"]) and raised["severity"] == "critical"
    site = await world.client("site_a1")
    issue = (await site.get(f"/api/issues/{raised['id']}")).json()
    assert issue["description"].startswith("不符合：") and issue["description"].endswith("。现场：3号楼2单元楼道堆放杂物")
    assert issue["note"] == "3号楼2单元楼道堆放杂物" and issue["number"] == raised["number"]
    assert issue["severity_name"] == "严重"
    listed = (await site.get("/api/issues")).json()["items"][0]
    assert listed["number"] == raised["number"] and listed["severity_name"] == "严重"
    assert r.json()["item_notes"] == data["item_notes"]  # the visit keeps what the inspector wrote


async def test_numbers_count_on_per_county_and_year_and_are_searchable(world):
    inspector = await world.client("inspector")
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=body(world.sites["a1"], *A1, fail=check_items(n=3)))
    numbers = [i["number"] for i in r.json()["issues"]]
    seq = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert len(set(numbers)) == 3 and seq == [seq[0], seq[0] + 1, seq[0] + 2]
    b = await inspector.put(f"/api/inspections/{new_uuid()}", json=body(world.sites["b1"], 35.14, 110.77, fail=check_items(n=1)))
    assert b.json()["issues"][0]["number"].startswith("临猗-") and b.json()["issues"][0]["number"].endswith("-0001")
    admin = await world.client("admin")
    page = (await admin.get("/api/issues", params={"q": numbers[1]})).json()
    assert [i["number"] for i in page["items"]] == [numbers[1]]
    assert (await (await world.client("county_b")).get("/api/issues", params={"q": numbers[1]})).json()["total"] == 0


@pytest.mark.own_clock
async def test_a_repeat_failure_attaches_to_the_open_issue_and_after_closure_reopens(world):
    clock.freeze(datetime(2026, 5, 12, 2, 0, tzinfo=UTC))
    inspector = await world.client("inspector")
    item = check_items(n=1)[0]
    first = await inspector.put(f"/api/inspections/{new_uuid()}", json=body(world.sites["a1"], *A1, fail=[item]))
    issue = first.json()["issues"][0]
    again = body(world.sites["a1"], *A1, fail=[item])
    again["item_notes"] = {"fire-safety": {item: "复查：杂物仍未清理"}}
    second = await inspector.put(f"/api/inspections/{new_uuid()}", json=again)
    assert second.json()["issues"][0]["id"] == issue["id"] and second.json()["issues"][0]["refinding"] is True
    assert await Issue.count() == 1 and await Refinding.count() == 1
    await assert_audited("issue.raise", issue["id"], actor="inspector")
    await assert_audited("issue.refind", issue["id"], actor="inspector")
    detail = (await inspector.get(f"/api/issues/{issue['id']}")).json()
    assert [x["note"] for x in detail["refindings"]] == ["复查：杂物仍未清理"]
    repeats = (await inspector.get("/api/issues/repeats")).json()
    assert [(x["item_key"], x["times"]) for x in repeats] == [(item, 2)]
    day = clock.today().isoformat()
    result = (await (await world.client("admin")).get("/api/assessment", params={"from": day, "to": day})).json()
    yanhu = next(c for c in result["counties"] if c["county_name"] == "盐湖区")
    assert yanhu["issues_found"] == 1 and yanhu["repeat_findings"] == 1 and yanhu["rates"]["repeat_rate"] == 0.5

    site = await world.client("site_a1")
    await site.post(f"/api/issues/{issue['id']}/rectifications", json=await _round_with_photo(site))
    assert (await inspector.post(f"/api/issues/{issue['id']}/verification", json={"accept": True})).json()["state"] == "closed"
    third = await inspector.put(f"/api/inspections/{new_uuid()}", json=body(world.sites["a1"], *A1, fail=[item]))
    reopened = third.json()["issues"][0]
    assert reopened["id"] != issue["id"] and reopened["refinding"] is False and reopened["number"] != issue["number"]
    assert (await inspector.get(f"/api/issues/{reopened['id']}")).json()["reopens"] == issue["id"]


async def test_severity_is_the_inspectors_to_change_not_the_inspected_sides(world):
    inspector = await world.client("inspector")
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=body(world.sites["a1"], *A1, fail=check_items(n=1)))
    issue = r.json()["issues"][0]["id"]
    county = await world.client("county_a")
    assert (await county.patch(f"/api/issues/{issue}", json={"severity": "minor"})).status_code == 403
    r = await inspector.patch(f"/api/issues/{issue}", json={"severity": "critical"})
    assert r.status_code == 200 and r.json()["severity"] == "critical"
    bad = body(world.sites["a1"], *A1, fail=check_items(n=1))
    bad["severities"] = {"fire-safety": {check_items(n=1)[0]: "urgent"}}
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=bad)
    assert r.status_code == 422 and r.json()["error"] == "answers_invalid" and "严重程度" in r.json()["message"]
