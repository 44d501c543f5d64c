"""The shipped templates' current versions, read from the files (not copies of their rules): every
fixed list of the policy by its count, every threshold at its edge, answers that decide whether other
items are asked (one cause, one issue), 不适用 with a reason, dates counted to the visit day."""

from __future__ import annotations

import pytest

from server.checklists.evaluation import evaluate
from server.checklists.loader import registry

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


PHOTO = "3f1c2b9e-8d4a-4c1e-9a77-0b1d2e3f4a5b"


def latest(template_id: str):
    return registry().latest(template_id)


def site(**over):
    base = {"registered_people": 500, "other_people": 50, "total_people": 550, "households": 150, "building_count": 5,
            "has_workshop": True, "has_first_secretary": True, "has_greenhouses": True, "has_lift": True,
            "has_piped_gas": True, "county": "盐湖区"}
    return base | over


def judge(template_id, answers, visit_date="2027-01-01", strict=False, **site_over):
    return evaluate(latest(template_id), site(**site_over), answers, strict=strict, visit_date=visit_date)


def failing(template_id, key, answers, **kw) -> bool:
    ev = judge(template_id, answers, **kw)
    assert not ev.errors, ev.errors
    assert ev.applicable[key], f"{key} is not asked"
    return ev.failed[key]


def finding_of(ev, key) -> str:
    return next(f.finding for f in ev.failures if f.item_key == key)


# --- the policy's fixed lists, counted on the shipped files ------------------------------------

def _section_keys(template_id, section):
    return [i.key for s, i in latest(template_id).items() if s.key == section]


def test_ten_facilities_are_ten_and_need_a_reason_and_photo_for_not_applicable():
    keys = _section_keys("facilities-services", "ten_facilities")
    assert len(keys) == 10
    items = [latest("facilities-services").item(k) for k in keys]
    assert [i.text for i in items] == ["有党员活动室", "有业委会办公室", "有物业中心", "有卫生室", "有幼儿园", "有警务室",
                                       "有文体活动室", "有产业就业服务点", "有便民超市", "有休闲广场"]
    assert all(i.na_reason and i.na_photo for i in items)


def test_ten_services_list_the_nine_the_policy_names_and_say_so_once():
    t = latest("facilities-services")
    keys = _section_keys("facilities-services", "ten_services")
    assert len(keys) == 9
    assert all(t.item(k).na_reason for k in keys)
    section = next(s for s in t.sections if s.key == "ten_services")
    assert "只列出九项" in section.help
    assert not any("只列出九项" in t.item(k).help for k in keys)  # said once, on the section


def test_five_mechanisms_are_five_and_need_a_reason():
    t = latest("governance-integration")
    mechs = [i for _, i in t.items() if i.key.startswith("mech_")]
    assert len(mechs) == 5 and all(m.na_reason for m in mechs)
    assert [m.text[2:] for m in mechs] == ["利益诉求反映和反馈机制", "安置点日常维护保养机制", "风险防范和应急处置机制",
                                          "问题回访核查机制", "部门协同配合机制"]


def test_two_assurances_three_guarantees_and_water_are_five_and_need_a_reason():
    t = latest("monitoring")
    keys = [k for k in _section_keys("monitoring", "guarantees") if t.item(k).type == "check"]
    assert keys == ["food_clothing_secure", "schooling_guaranteed", "basic_medical_guaranteed", "housing_safe", "drinking_water_safe"]
    assert all(t.item(k).na_reason for k in keys)


@pytest.mark.parametrize("template_id, key, count, labels", [
    ("governance-integration", "services_provided", 7, ["户籍管理", "就业", "就学", "就医", "警务", "社保", "法律咨询"]),
    ("monitoring", "monitoring_channels", 4, ["农户自主申报", "基层干部排查", "部门筛查预警", "信访舆情研判"]),
    ("governance-integration", "site_ledgers", 3, ["工作台账", "问题台账", "整改台账"]),
])
def test_lists_are_multi_choice_that_fail_when_one_is_missing(template_id, key, count, labels):
    item = latest(template_id).item(key)
    assert item.type == "multi" and item.require_all and [o.label for o in item.options] == labels and len(labels) == count
    every = [o.value for o in item.options]
    assert not failing(template_id, key, {key: every})
    for missing in range(count):
        assert failing(template_id, key, {key: every[:missing] + every[missing + 1:]})
    ev = judge(template_id, {key: every[1:]})
    assert finding_of(ev, key).endswith(f"缺少{labels[0]}（{count}项中已有{count - 1}项）")


def test_no_civilisation_activity_raises_an_issue():
    assert failing("governance-integration", "civilisation_activities", {"civilisation_activities": ["none"]})
    assert not failing("governance-integration", "civilisation_activities", {"civilisation_activities": ["star_household"]})
    ev = judge("governance-integration", {"civilisation_activities": ["none"]})
    assert "暂未开展" in finding_of(ev, "civilisation_activities")


# --- thresholds at their edges --------------------------------------------------------------

@pytest.mark.parametrize("people, asked", [(799, True), (800, True), (801, False)])
def test_workshops_at_sites_of_800_people_or_fewer(people, asked):
    ev = judge("industry-employment", {}, registered_people=people)
    assert ev.applicable["workshop_exists"] is asked


@pytest.mark.parametrize("people, team, county", [(99, False, True), (100, True, False), (101, True, False)])
def test_team_rule_from_100_people_county_rule_below(people, team, county):
    ev = judge("governance-integration", {}, registered_people=people)
    assert ev.applicable["first_secretary_assigned"] is team and ev.applicable["work_team_size"] is team
    assert ev.applicable["county_unified_management"] is county


@pytest.mark.parametrize("size, fails", [(2, True), (3, False)])
def test_one_team_of_three(size, fails):
    assert failing("governance-integration", "work_team_size", {"work_team_size": size}, registered_people=150) is fails


@pytest.mark.parametrize("minutes, fails", [(19, False), (20, False), (20.5, True), (21, True)])
def test_workshop_within_the_20_minute_circle(minutes, fails):
    answers = {"workshop_exists": "pass", "workshop_minutes": minutes}
    assert failing("industry-employment", "workshop_minutes", answers) is fails
    if fails:
        assert "超出20分钟生活圈" in finding_of(judge("industry-employment", answers), "workshop_minutes")


@pytest.mark.parametrize("relocated, fails", [(49, True), (50, False)])
def test_half_the_workshop_jobs_to_relocated_workers(relocated, fails):
    answers = {"workshop_exists": "pass", "workshop_jobs": 100, "workshop_jobs_relocated": relocated}
    assert failing("industry-employment", "workshop_jobs_relocated", answers) is fails


@pytest.mark.parametrize("capacity, fails", [(39, True), (40, False)])
def test_workshop_holds_every_willing_worker(capacity, fails):
    answers = {"workshop_exists": "pass", "willing_workers": 40, "workshop_capacity": capacity}
    assert failing("industry-employment", "workshop_capacity", answers) is fails


@pytest.mark.parametrize("stable, fails", [(59, True), (60, False)])
def test_one_stable_worker_per_household(stable, fails):
    answers = {"households_with_labour": 60, "households_with_stable_worker": stable}
    assert failing("industry-employment", "households_with_stable_worker", answers) is fails


@pytest.mark.parametrize("sheds, fails", [(29, True), (30, False)])
def test_one_household_one_shed(sheds, fails):
    answers = {"willing_households": 30, "greenhouses_allocated": sheds}
    assert failing("industry-employment", "greenhouses_allocated", answers) is fails


@pytest.mark.parametrize("enrolled, fails", [(89, True), (90, False)])
def test_kindergarten_enrolment_of_relocated_children(enrolled, fails):
    answers = {"preschool_children": 100, "kindergarten_enrolled": enrolled}
    assert failing("education-medical", "kindergarten_enrolled", answers) is fails


@pytest.mark.parametrize("people, fails", [(1000, False), (1001, True)])
def test_clinic_staff_one_per_thousand(people, fails):
    assert failing("education-medical", "clinic_staff", {"clinic_staff": 1}, total_people=people) is fails


@pytest.mark.parametrize("storeys, key, height, fails", [
    (6, "railing_height_low", 1.05, False), (6, "railing_height_low", 1.04, True),
    (7, "railing_height_high", 1.10, False), (7, "railing_height_high", 1.09, True),
])
def test_railing_heights_by_storeys(storeys, key, height, fails):
    assert failing("quality-safety", key, {"max_storeys": storeys, key: height}) is fails
    other = "railing_height_high" if key == "railing_height_low" else "railing_height_low"
    assert not judge("quality-safety", {"max_storeys": storeys}).applicable[other]


@pytest.mark.parametrize("height, fails", [(0.90, False), (0.89, True)])
def test_stair_handrails_at_090(height, fails):
    assert failing("quality-safety", "stair_handrail_height", {"stair_handrail_height": height}) is fails


@pytest.mark.parametrize("moved_in, fails", [(135, False), (134, True)])
def test_occupancy_at_90_percent(moved_in, fails):
    assert failing("quality-safety", "households_moved_in", {"households_moved_in": moved_in}, households=150) is fails


@pytest.mark.parametrize("days, fails", [(30, False), (31, True)])
def test_help_within_30_days_of_identification(days, fails):
    assert failing("monitoring", "days_to_help", {"days_to_help": days}) is fails


@pytest.mark.parametrize("template_id, total, bad", [
    ("monitoring", "households_sampled", "households_not_secure"),
    ("fire-safety", "vulnerable_homes_checked", "vulnerable_homes_no_alarm"),
])
def test_sample_counts_fail_from_one_and_cannot_exceed_the_sample(template_id, total, bad):
    assert not failing(template_id, bad, {total: 5, bad: 0})
    assert failing(template_id, bad, {total: 5, bad: 1})
    ev = judge(template_id, {total: 5, bad: 6})
    assert [e["code"] for e in ev.errors] == ["wrong_type"] and "不能大于" in ev.errors[0]["message"]


# --- dates, counted to the visit day (never to today) ----------------------------------------

@pytest.mark.parametrize("key, limit", [("last_drill_date", 365), ("extinguisher_service_date", 365),
                                        ("fire_systems_test_date", 365), ("extinguisher_made_on", 3652)])
def test_dated_items_across_new_year(key, limit):
    from datetime import date, timedelta

    visit = date(2027, 1, 1)  # a visit on New Year's Day: last year's drill still counts
    answers = {"drill_held": "pass", "alarm_panel_state": "normal"}
    on_edge = (visit - timedelta(days=limit)).isoformat()
    too_old = (visit - timedelta(days=limit + 1)).isoformat()
    assert not failing("fire-safety", key, answers | {key: on_edge}, visit_date=visit.isoformat())
    assert failing("fire-safety", key, answers | {key: too_old}, visit_date=visit.isoformat())
    ev = judge("fire-safety", answers | {key: too_old}, visit_date=visit.isoformat())
    assert f"距检查已{limit + 1}天" in finding_of(ev, key) or f"（{limit + 1}天）" in finding_of(ev, key)


def test_a_drill_in_december_passes_in_january():
    assert not failing("fire-safety", "last_drill_date", {"drill_held": "pass", "last_drill_date": "2026-12-20"},
                       visit_date="2027-01-05")


# --- answers that decide what else is asked: one cause, one issue ---------------------------

def test_no_workshop_raises_one_issue_not_five():
    answers = {"workshop_exists": "fail", "willing_workers": 30}
    ev = judge("industry-employment", answers)
    for key in ("workshop_minutes", "workshop_capacity", "workshop_jobs", "workshop_jobs_relocated", "workshop_operating"):
        assert not ev.applicable[key]
    assert [f.item_key for f in ev.failures] == ["workshop_exists"]
    assert ev.applicable["willing_workers_register"]  # asked at every site


def test_willing_workers_register_is_asked_at_large_sites_too():
    ev = judge("industry-employment", {}, registered_people=3000)
    assert ev.applicable["willing_workers_register"] and not ev.applicable["workshop_exists"]


def test_industry_items_only_where_the_county_designated_the_site():
    assert judge("industry-employment", {}, has_greenhouses=True).applicable["greenhouses_allocated"]
    assert not judge("industry-employment", {}, has_greenhouses=False).applicable["greenhouses_allocated"]


def test_no_charging_shed_no_smart_shed_item_and_it_is_not_critical():
    ev = judge("fire-safety", {"ebike_charging_area": "fail"})
    assert not ev.applicable["ebike_smart_charging_shed"]
    assert judge("fire-safety", {"ebike_charging_area": "pass"}).applicable["ebike_smart_charging_shed"]
    assert latest("fire-safety").item("ebike_smart_charging_shed").severity != "critical"


@pytest.mark.parametrize("storeys, asked", [(7, False), (8, True)])
def test_indoor_hydrants_by_building_height(storeys, asked):
    ev = judge("fire-safety", {"building_storeys": storeys})
    assert ev.applicable["indoor_hydrants"] is asked and ev.applicable["pump_adapters"] is asked
    assert ev.applicable["outdoor_hydrants"]


def test_coal_heating_asks_for_co_alarms():
    assert judge("fire-safety", {"winter_heating": "coal"}).applicable["co_alarms_flues"]
    assert not judge("fire-safety", {"winter_heating": "central"}).applicable["co_alarms_flues"]


def test_no_drill_asks_no_drill_date():
    ev = judge("fire-safety", {"drill_held": "fail"})
    assert not ev.applicable["last_drill_date"] and ev.failed["drill_held"]


def test_kindergarten_items_by_on_site_or_nearby():
    onsite = judge("education-medical", {"kindergarten_location": "onsite"})
    nearby = judge("education-medical", {"kindergarten_location": "nearby"})
    assert onsite.applicable["kindergarten_licensed"] and not onsite.applicable["kindergarten_distance_km"]
    assert nearby.applicable["kindergarten_distance_km"] and not nearby.applicable["kindergarten_licensed"]
    none = judge("education-medical", {"kindergarten_location": "none"})
    assert none.failed["kindergarten_location"] and not none.applicable["kindergarten_safe"]


# --- 不适用 with a reason --------------------------------------------------------------------

def test_not_applicable_on_a_mandatory_item_needs_a_reason_and_a_photo():
    ev = judge("facilities-services", {"has_kindergarten": "na"}, strict=True)
    codes = {e["code"] for e in ev.errors if e["item"] == "has_kindergarten"}
    assert codes == {"na_reason_required", "na_photo_required"}
    ev = evaluate(latest("facilities-services"), site(), {"has_kindergarten": "na"}, strict=True,
                  notes={"has_kindergarten": "与相邻的城关幼儿园共用，步行8分钟"}, photos={"has_kindergarten": [PHOTO]})
    assert not [e for e in ev.errors if e["item"] == "has_kindergarten"]
    ev = judge("governance-integration", {"mech_followup": "na"}, strict=True)
    assert {e["code"] for e in ev.errors if e["item"] == "mech_followup"} == {"na_reason_required"}


# --- departments the policy names ------------------------------------------------------------

def test_departments_the_policy_names_are_responsible_somewhere():
    used = {i.department for t in registry().all_latest() for _, i in t.items()}
    assert {"fazhan", "yingji", "shangwu", "shichang", "zuzhi"} <= used
    assert latest("quality-safety").item("lift_certificate_valid").department == "shichang"
    assert latest("quality-safety").item("completion_records").severity == "major"


def test_a_photo_item_wants_its_photo_even_when_all_is_well():
    t = latest("fire-safety")
    item = t.item("mini_station_photo")
    assert item.type == "photo" and item.required and not item.raises_issue
    ev = judge("fire-safety", {}, strict=True)
    assert any(e["item"] == "mini_station_photo" and e["code"] == "required" for e in ev.errors)
    ev = judge("fire-safety", {"mini_station_photo": [PHOTO]}, strict=True)
    assert not any(e["item"] == "mini_station_photo" for e in ev.errors) and not ev.failed["mini_station_photo"]
