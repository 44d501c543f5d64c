"""`ducha templates check` passes on the shipped files and names file, line and item on broken ones."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from server.checklists.loader import (
    DEFAULT_DIR,
    check_templates,
    load_templates,
    summary,
)

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


def _ducha(*args):
    return subprocess.run([sys.executable, "-m", "server.cli", *args], capture_output=True, text=True)


def test_shipped_templates_pass():
    assert check_templates() == []
    out = _ducha("templates", "check")
    assert out.returncode == 0 and "检查表全部通过" in out.stdout


def test_seven_areas_are_covered_and_every_item_cites_the_policy():
    reg = load_templates()
    areas = {t.area for t in reg.all_latest()}
    assert areas == {"质量安全", "消防措施", "教育医疗", "产业就业", "十有十到位", "社区治理与社会融入", "防返贫动态监测"}
    counts = summary(reg)
    assert counts["items_latest"] >= 100
    assert counts["items_latest_with_basis"] == counts["items_latest"]


def _broken_copy(tmp_path: Path, name: str, change) -> Path:
    target = tmp_path / "templates"
    shutil.copytree(DEFAULT_DIR, target, ignore=shutil.ignore_patterns("*.md"))
    path = target / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def _item_line(path: Path, key: str, nth: int = 1) -> int:
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() in (f"- key: {key}", f"key: {key}"):
            seen += 1
            if seen == nth:
                return number
    raise AssertionError(key)


def test_duplicate_key_is_named_with_file_and_line(tmp_path):
    def dup(data):
        first = data["sections"][0]["items"][0]
        data["sections"][-1]["items"].append(dict(first))

    folder = _broken_copy(tmp_path, "fire-safety.v1.yaml", dup)
    key = yaml.safe_load((folder / "fire-safety.v1.yaml").read_text())["sections"][0]["items"][0]["key"]
    out = _ducha("templates", "check", "--dir", str(folder))
    assert out.returncode == 1
    line = _item_line(folder / "fire-safety.v1.yaml", key, nth=2)
    assert f"fire-safety.v1.yaml:{line}: 检查项 {key}: 键重复" in out.stderr


def test_rule_on_unknown_key_is_named(tmp_path):
    def bad_rule(data):
        data["sections"][0]["items"][0]["fails_when"] = {"<": [{"var": "answer.no_such_item"}, 1]}

    folder = _broken_copy(tmp_path, "industry-employment.v1.yaml", bad_rule)
    key = yaml.safe_load((folder / "industry-employment.v1.yaml").read_text())["sections"][0]["items"][0]["key"]
    problems = check_templates(folder)
    assert any(p.startswith("industry-employment.v1.yaml:") and f"检查项 {key} 的 fails_when" in p and "answer.no_such_item" in p
               for p in problems), problems


def test_missing_basis_is_named(tmp_path):
    def no_basis(data):
        del data["sections"][1]["items"][0]["basis"]

    folder = _broken_copy(tmp_path, "quality-safety.v1.yaml", no_basis)
    key = yaml.safe_load((folder / "quality-safety.v1.yaml").read_text())["sections"][1]["items"][0]["key"]
    problems = check_templates(folder)
    line = _item_line(folder / "quality-safety.v1.yaml", key)
    assert f"quality-safety.v1.yaml:{line}: 检查项 {key}: 缺少政策依据 basis" in problems


def test_file_name_must_match_id_and_version(tmp_path):
    folder = _broken_copy(tmp_path, "monitoring.v1.yaml", lambda d: d.update(version=3))
    assert any("文件名应为 monitoring.v3.yaml" in p for p in check_templates(folder))


def test_a_made_up_basis_is_refused_with_the_real_paragraphs(tmp_path):
    def invent(data):
        data["sections"][0]["items"][0]["basis"] = "三(九)七"
        data["sections"][0]["items"][1]["basis"] = "三(二)五"  # 三(二) has four points
    target = _broken_copy(tmp_path, "industry-employment.v2.yaml", invent)
    problems = check_templates(target)
    assert any("'三(九)七' 在运易组办〔2021〕1号中不存在" in p for p in problems), problems
    named = next(p for p in problems if "'三(二)五'" in p)
    assert "三(二)一、三(二)二、三(二)三、三(二)四" in named and named.startswith("industry-employment.v2.yaml:")


def test_the_policy_paragraphs_are_read_from_the_text():
    from server.checklists import policy

    found = set(policy.paragraphs())
    assert {"三(一)一", "三(一)二", "三(二)四", "三(三)五", "三(四)", "三(五)五", "三(六)", "四(一)二", "四(三)"} <= found
    assert not {"三(一)三", "三(二)五", "三(四)一", "三(九)七"} & found
    assert len(found) == 32


def test_newest_versions_say_what_was_found_for_numbers_and_lists(tmp_path):
    def drop(data):
        for section in data["sections"]:
            for item in section["items"]:
                if item["key"] == "workshop_capacity":
                    item.pop("finding")
    target = _broken_copy(tmp_path, "industry-employment.v2.yaml", drop)
    assert check_templates(target) == ["industry-employment.v2.yaml: 检查项 workshop_capacity: 数值、选择题须写 finding（说明发现了什么）"]


def test_language_fields_are_checked(tmp_path):
    def wrong(data):
        items = data["sections"][0]["items"]
        items[0]["require_all"] = True  # a check item
        items[1]["na_reason"] = True     # workshop_operating is a check: fine
        items[2]["na_reason"] = True     # workshop_minutes is a number
        items[2]["at_most"] = "no_such"
        items[0]["deadline_days"] = -1
    target = _broken_copy(tmp_path, "industry-employment.v2.yaml", wrong)
    problems = "\n".join(check_templates(target))
    assert "require_all 只用于多选题" in problems and "na_reason/na_photo 只用于判断题" in problems
    assert "at_most 须指向同一检查表中的数值检查项" in problems and "deadline_days 应在 0（立即整改）到 365 天之间" in problems
    assert "workshop_operating" not in problems
