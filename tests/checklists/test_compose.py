"""A new version made from the desk's form, not from YAML: items reworded, re-graded, given another
department, removed or added on the current version; the server writes the next version's YAML,
checks it as a file is checked, and it is published like any draft."""

from __future__ import annotations

import pytest
import yaml

from server.checklists import compose
from server.checklists.schemas import DraftEdits, ItemEdit
from tests.audit.helpers import assert_audited

EDITS = {
    "template_id": "monitoring", "base_version": 2,
    "items": {"income_spending_tracked": {"text": "监测对象收入支出情况按月记录", "severity": "major", "deadline_days": 15,
                                          "help": "抽查三户监测对象", "basis": "三(一)一"},
              "development_support": {"department": "xiangcun", "required": False}},
    "remove": ["motivation_support"],
    "add": [{"section": "assistance", "key": "grid_visits_recorded", "type": "check", "text": "网格员每月入户走访监测对象并有记录",
             "basis": "三(一)一", "severity": "major", "deadline_days": 20, "department": ""}],
    "template_note": "2026年修订：按月记录收支，新增网格员走访",
}


def _item(template: dict, key: str) -> dict | None:
    return next((i for s in template["sections"] for i in s["items"] if i["key"] == key), None)


async def test_form_edits_make_the_next_version_checked_and_publishable(world):
    admin = await world.client("admin")
    r = await admin.post("/api/templates/drafts/compose", json=EDITS)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["check"]["ok"] is True and out["check"]["version"] == 3, out["check"]
    draft = yaml.safe_load(out["source"])
    assert draft["version"] == 3 and draft["note"] == EDITS["template_note"]
    assert _item(draft, "motivation_support") is None
    assert _item(draft, "income_spending_tracked")["severity"] == "major"

    r = await admin.post("/api/templates/versions", json={"source": out["source"], "note": "按2026年修订"})
    assert r.status_code == 201, r.text
    await assert_audited("template.publish", "monitoring.v3", actor="admin")
    diff = (await admin.get("/api/templates/monitoring/diff", params={"from": 2, "to": 3})).json()
    assert [a["key"] for a in diff["added"]] == ["grid_visits_recorded"]
    assert [x["key"] for x in diff["removed"]] == ["motivation_support"]
    changed = {c["key"]: {f["field"]: (f["before"], f["after"]) for f in c["fields"]} for c in diff["changed"]}
    assert changed["income_spending_tracked"]["text"] == ("监测对象收入支出情况有记录", "监测对象收入支出情况按月记录")
    assert changed["income_spending_tracked"]["severity"] == ("minor", "major")
    assert changed["development_support"]["department"] == ("renshe", "xiangcun")
    assert set(changed) == {"income_spending_tracked", "development_support"}
    v3 = (await admin.get("/api/templates/monitoring/versions/3")).json()
    added = _item(v3, "grid_visits_recorded")
    assert added["raises_issue"] is True and added["severity"] == "major" and added["deadline_days"] == 20
    assert added["department"] == "xiangcun"  # left empty: the template's lead department
    assistance = next(s for s in v3["sections"] if s["key"] == "assistance")
    assert assistance["items"][-1]["key"] == "grid_visits_recorded"  # at the end of the section it was added to

    # the form's base is now an old version: its edits would drop version 3's changes
    stale = await admin.post("/api/templates/drafts/compose", json=EDITS)
    assert stale.status_code == 409 and stale.json()["error"] == "version_taken" and "现行第 3 版" in stale.json()["message"]


@pytest.mark.own_clock
def test_an_edit_of_an_item_sharing_a_yaml_alias_changes_that_item_only():
    """education-medical v2 writes one applies_when for two items (&id001 / *id001)."""
    from server.checklists.loader import DEFAULT_DIR

    source = (DEFAULT_DIR / "education-medical.v2.yaml").read_text(encoding="utf-8")
    edits = DraftEdits(template_id="education-medical", base_version=2, items={"kindergarten_licensed": ItemEdit(text="幼儿园有办园许可")})
    new = yaml.safe_load(compose.compose(source, 3, edits))
    old = yaml.safe_load(source)
    assert _item(new, "kindergarten_licensed")["text"] == "幼儿园有办园许可"
    for key in ("kindergarten_licensed", "kindergarten_transport_safe"):
        assert _item(new, key)["applies_when"] == _item(old, key)["applies_when"]
    assert [i["key"] for s in new["sections"] for i in s["items"]] == [i["key"] for s in old["sections"] for i in s["items"]]


@pytest.mark.parametrize(("edits", "status", "error"), [
    ({"items": {"no_such_item": {"text": "x"}}}, 422, "unknown_item"),
    ({"remove": ["no_such_item"]}, 422, "unknown_item"),
    ({"add": [{"section": "nowhere", "key": "new_item", "type": "check", "text": "新项", "basis": "三(一)"}]}, 422, "unknown_section"),
    ({"add": [{"section": "assistance", "key": "development_support", "type": "check", "text": "新项", "basis": "三(一)"}]}, 422,
     "duplicate_item"),
    ({"add": [{"section": "assistance", "key": "Bad Key", "type": "check", "text": "新项", "basis": "三(一)"}]}, 400, None),
    ({"items": {"development_support": {"severity": "fatal"}}}, 400, None),
    ({"base_version": 9}, 404, None),
])
async def test_edits_the_version_has_no_place_for_are_refused_by_name(world, edits, status, error):
    admin = await world.client("admin")
    r = await admin.post("/api/templates/drafts/compose", json={"template_id": "monitoring", "base_version": 2, **edits})
    assert r.status_code == status, r.text
    if error:
        assert r.json()["error"] == error


async def test_a_draft_the_checker_refuses_comes_back_with_its_problems(world):
    """An item's basis that is no paragraph of the policy: composed, but not ready to publish."""
    admin = await world.client("admin")
    r = await admin.post("/api/templates/drafts/compose", json={"template_id": "monitoring", "base_version": 2,
                                                                 "items": {"development_support": {"basis": "九(九)九"}}})
    assert r.status_code == 200, r.text
    assert r.json()["check"]["ok"] is False and any("九(九)九" in p for p in r.json()["check"]["problems"])


@pytest.mark.parametrize("user", ["inspector", "county_a", "site_a1"])
async def test_only_the_city_admin_composes(world, user):
    r = await (await world.client(user)).post("/api/templates/drafts/compose", json=EDITS)
    assert r.status_code == 403
