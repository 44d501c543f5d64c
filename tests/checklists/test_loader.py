"""`ducha templates check` passes on the shipped files and names file, line and item on broken ones."""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from server.checklists.loader import (
    DEFAULT_DIR,
    check_templates,
    load_templates,
    summary,
)


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
