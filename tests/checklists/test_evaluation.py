"""The first versions' rules at their edges, applicability by site, versions: old versions evaluate
exactly as they did (the current versions are pinned in test_shipped.py)."""

import pytest

from server.checklists.evaluation import evaluate, template_applies, validate_or_raise
from server.checklists.loader import registry
from server.lib.errors import Invalid

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


def site(**over):
    base = {"registered_people": 500, "other_people": 50, "total_people": 550, "households": 150, "building_count": 5,
            "has_workshop": True, "has_first_secretary": True, "has_greenhouses": True, "has_lift": True,
            "has_piped_gas": True, "county": "盐湖区"}
    base.update(over)
    return base


def industry():
    return registry().get("industry-employment", 1)


def governance():
    return registry().get("governance-integration", 1)


def _keys_applicable(template, s):
    return {k for k, a in evaluate(template, s, {}, strict=False).applicable.items() if a}


def test_workshop_items_apply_at_799_not_800():
    t = industry()
    assert "workshop_jobs" in _keys_applicable(t, site(registered_people=799))
    assert "workshop_jobs" not in _keys_applicable(t, site(registered_people=800))


def test_team_items_apply_at_100_not_99():
    t = governance()
    assert "work_team_size" in _keys_applicable(t, site(registered_people=100))
    assert "work_team_size" not in _keys_applicable(t, site(registered_people=99))


@pytest.mark.parametrize("relocated, failed", [(49, True), (50, False), (51, False)])
def test_half_of_workshop_jobs_to_relocated_workers(relocated, failed):
    ev = evaluate(industry(), site(), {"workshop_jobs": 100, "workshop_jobs_relocated": relocated}, strict=False)
    assert ev.failed["workshop_jobs_relocated"] is failed
    assert any(f.item_key == "workshop_jobs_relocated" for f in ev.failures) is failed


@pytest.mark.parametrize("sheds, failed", [(29, True), (30, False)])
def test_one_household_one_shed(sheds, failed):
    ev = evaluate(industry(), site(), {"willing_households": 30, "greenhouses_allocated": sheds}, strict=False)
    assert ev.failed["greenhouses_allocated"] is failed


@pytest.mark.parametrize("size, failed", [(2, True), (3, False)])
def test_one_site_one_team_of_three(size, failed):
    ev = evaluate(governance(), site(registered_people=150), {"work_team_size": size}, strict=False)
    assert ev.failed["work_team_size"] is failed


def test_failure_carries_what_the_issue_needs():
    ev = evaluate(industry(), site(), {"workshop_jobs": 10, "workshop_jobs_relocated": 2}, strict=False)
    f = next(f for f in ev.failures if f.item_key == "workshop_jobs_relocated")
    assert f.basis.startswith("三(二)") and f.deadline_days > 0 and f.severity in ("minor", "major", "critical")
    assert f.department == "renshe" and f.area == "产业就业"


def test_strict_requires_every_applicable_required_item():
    t = industry()
    ev = evaluate(t, site(registered_people=900), {}, strict=True)
    required = {e["item"] for e in ev.errors if e["code"] == "required"}
    assert "workshop_jobs" not in required  # not applicable at 900 people
    assert required  # others are
    with pytest.raises(Invalid) as exc:
        validate_or_raise(ev)
    assert exc.value.code == "answers_invalid" and "必须填写" in exc.value.message


@pytest.mark.parametrize("value", ["ten", -1, 2.5, True, 0])
def test_wrong_types_are_named(value):
    ev = evaluate(industry(), site(), {"workshop_jobs": value}, strict=False)
    if value == 0:
        assert not ev.errors
    else:
        assert ev.errors and ev.errors[0]["item"] == "workshop_jobs" and ev.errors[0]["code"] == "wrong_type"


def test_unknown_item_key_is_an_error():
    ev = evaluate(industry(), site(), {"no_such_item": "pass"}, strict=False)
    assert ev.errors[0]["code"] == "unknown_item"


def test_failed_check_with_photo_on_fail_needs_a_photo():
    t = registry().get("fire-safety", 1)
    item = next(i for _, i in t.items() if i.type == "check" and i.photo_on_fail and i.applies_when is None)
    ev = evaluate(t, site(), {item.key: "fail"}, strict=False)
    assert ev.failed[item.key]
    ev = evaluate(t, site(), {item.key: "fail"}, strict=True)
    assert any(e["code"] == "photo_required" and e["item"] == item.key for e in ev.errors)
    photo = "3f1c2b9e-8d4a-4c1e-9a77-0b1d2e3f4a5b"
    ev = evaluate(t, site(), {item.key: "fail"}, photos={item.key: [photo]}, strict=True)
    assert not any(e["code"] == "photo_required" for e in ev.errors)
    assert next(f for f in ev.failures if f.item_key == item.key).photos == (photo,)


def test_old_version_still_evaluates_after_a_new_one():
    reg = registry()
    assert reg.versions("fire-safety") == [1, 2, 3]
    v1, v2 = reg.get("fire-safety", 1), reg.get("fire-safety", 2)
    assert v1.item("ebike_smart_charging_shed") is None and v2.item("ebike_smart_charging_shed") is not None
    ev = evaluate(v1, site(), {"ebike_smart_charging_shed": "pass"}, strict=False)
    assert ev.errors[0]["code"] == "unknown_item"  # v1 answers are judged by v1
    same = [i.key for _, i in v1.items()]
    assert all(v2.item(k) is not None and v2.item(k).text == v1.item(k).text for k in same)


def test_lift_items_only_where_there_are_lifts():
    t = registry().get("quality-safety", 1)
    lifts = {i.key for _, i in t.items() if "site.has_lift" in str(i.applies_when)}
    assert lifts
    assert lifts <= _keys_applicable(t, site(has_lift=True))
    assert not lifts & _keys_applicable(t, site(has_lift=False))


def test_every_template_applies_somewhere():
    assert all(template_applies(t, site()) for t in registry().all_latest())


def test_deadline_days_zero_means_today():
    import msgspec

    from server.checklists.model import Template
    from server.issues.service import deadline_for
    from server.lib import clock

    raw = {"id": "now", "version": 1, "title": "立即", "area": "消防措施", "lead_department": "xiaofang", "sections": [
        {"key": "s", "title": "s", "items": [{"key": "exits", "text": "安全出口未锁闭", "type": "check", "required": True,
                                              "raises_issue": True, "severity": "critical", "deadline_days": 0,
                                              "department": "xiaofang", "basis": "三(六)"}]}]}
    ev = evaluate(msgspec.convert(raw, Template), site(), {"exits": "fail"}, strict=False)
    assert ev.failures[0].deadline_days == 0
    from datetime import datetime

    found = datetime(2026, 12, 31, 23, 50, tzinfo=clock.SHANGHAI)
    assert str(deadline_for(found, 0)) == "2026-12-31" and str(deadline_for(found, 1)) == "2027-01-01"
