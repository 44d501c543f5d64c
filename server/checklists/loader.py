"""Loading and checking template files; the registry of every template version.

``check_templates`` returns messages naming the file, line and item, for
``ducha templates check`` and for city-office staff editing the YAML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import msgspec
import yaml

from server.checklists import findings, policy, rules
from server.checklists.model import AREAS, DEPARTMENTS, Template
from server.lib.canonical import digest
from server.lib.errors import NotFound

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "inspection_templates"
NAME = re.compile(r"^(?P<id>[a-z][a-z0-9-]*)\.v(?P<version>[0-9]+)\.yaml$")
KEY = re.compile(r"^[a-z][a-z0-9_]*$")
BASIS = re.compile(r"^[一二三四五六]\([一二三四五六七八九十]\)[一二三四五六七八九十]*$|^[一二三四五六]$")


class _LineLoader(yaml.SafeLoader):
    """Keeps each mapping's line (1-based) under the key ``__line__``."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


@dataclass
class Registry:
    templates: dict[tuple[str, int], Template] = field(default_factory=dict)
    digests: dict[tuple[str, int], str] = field(default_factory=dict)

    def get(self, template_id: str, version: int) -> Template:
        try:
            return self.templates[(template_id, version)]
        except KeyError:
            raise NotFound(f"检查表 {template_id} 第 {version} 版不存在", code="unknown_template") from None

    def latest(self, template_id: str) -> Template:
        versions = [v for (i, v) in self.templates if i == template_id]
        if not versions:
            raise NotFound(f"检查表 {template_id} 不存在", code="unknown_template")
        return self.templates[(template_id, max(versions))]

    def all_latest(self) -> list[Template]:
        ids = sorted({i for (i, _) in self.templates})
        return [self.latest(i) for i in ids]

    def versions(self, template_id: str) -> list[int]:
        return sorted(v for (i, v) in self.templates if i == template_id)

    def digest(self, template: Template) -> str:
        return self.digests[(template.id, template.version)]


def _check_one(path: Path, raw: Any) -> tuple[list[str], Template | None]:
    where = path.name
    problems: list[str] = []
    if not isinstance(raw, dict):
        return [f"{where}: 文件内容应为一个检查表（YAML 映射）"], None
    try:
        template = msgspec.convert(_strip(raw), Template)
    except msgspec.ValidationError as exc:
        return [f"{where}:{raw.get('__line__', 1)}: 格式错误: {exc}"], None
    match = NAME.match(path.name)
    if not match or match["id"] != template.id or int(match["version"]) != template.version:
        problems.append(f"{where}: 文件名应为 {template.id}.v{template.version}.yaml")
    if template.area not in AREAS:
        problems.append(f"{where}: 未知领域 area={template.area!r}（可用: {'、'.join(AREAS)}）")
    if template.lead_department not in DEPARTMENTS:
        problems.append(f"{where}: 未知牵头部门 {template.lead_department!r}")
    keys: dict[str, int] = {}
    lines: dict[str, int] = {}
    raw_items = [i for s_raw in raw.get("sections", []) for i in s_raw.get("items", [])]
    for i_raw, (section, item) in zip(raw_items, template.items()):
        line = i_raw.get("__line__", 0)
        lines.setdefault(item.key, line)
        at = f"{where}:{line}: 检查项 {item.key}"
        if item.key in keys:
            problems.append(f"{at}: 键重复（第 {keys[item.key]} 行已有同名检查项）")
        keys.setdefault(item.key, line)
        if not KEY.match(item.key):
            problems.append(f"{at}: 键只能用小写字母、数字和下划线")
        if not item.basis.strip():
            problems.append(f"{at}: 缺少政策依据 basis")
        elif not BASIS.match(item.basis.strip()):
            problems.append(f"{at}: 政策依据 {item.basis!r} 格式应如 三(二)一")
        elif item.basis.strip() not in policy.paragraphs():
            problems.append(f"{at}: 政策依据 {item.basis!r} 在运易组办〔2021〕1号中不存在（{_near(item.basis.strip())}）")
        if item.department not in DEPARTMENTS:
            problems.append(f"{at}: 未知责任部门 {item.department!r}")
        if item.type in ("single", "multi") and not item.options:
            problems.append(f"{at}: 选择题必须列出 options")
        if item.raises_issue and (item.severity is None or item.deadline_days is None):
            problems.append(f"{at}: 会生成问题的检查项必须有 severity 和 deadline_days")
        if item.deadline_days is not None and not 0 <= item.deadline_days <= 365:
            problems.append(f"{at}: deadline_days 应在 0（立即整改）到 365 天之间")
        if item.require_all and item.type != "multi":
            problems.append(f"{at}: require_all 只用于多选题（multi）")
        if (item.na_reason or item.na_photo) and item.type != "check":
            problems.append(f"{at}: na_reason/na_photo 只用于判断题（check），其他题型没有“不适用”")
        if item.at_most and (item.type not in ("number", "integer") or not any(
                i.key == item.at_most and i.type in ("number", "integer") for _, i in template.items())):
            problems.append(f"{at}: at_most 须指向同一检查表中的数值检查项")
        if item.na_photo and not item.na_reason:
            problems.append(f"{at}: na_photo 须与 na_reason 同用")
    all_keys = set(keys)
    for section, item in template.items():
        line = lines.get(item.key)
        for value_name, rule in item.finding_values.items():
            try:
                rules.check(rule, all_keys)
            except rules.RuleError as exc:
                problems.append(f"{where}:{line}: 检查项 {item.key} 的 finding_values.{value_name}: {exc}")
        for ref in findings.PLACEHOLDER.findall(item.finding):
            name = ref[0]
            scope, _, key = name.partition(".")
            known = name in item.finding_values or (scope == "answer" and key in all_keys) or (
                scope == "site" and key in rules.SITE_ATTRIBUTES)
            if not known:
                problems.append(f"{where}:{line}: 检查项 {item.key} 的 finding 引用了不存在的 {{{name}}}")
        for name in ("applies_when", "fails_when"):
            rule = getattr(item, name)
            if rule is None:
                continue
            try:
                rules.check(rule, all_keys)
            except rules.RuleError as exc:
                problems.append(f"{where}:{line}: 检查项 {item.key} 的 {name}: {exc}")
    if template.basis and template.basis not in policy.paragraphs():
        problems.append(f"{where}: 检查表的政策依据 {template.basis!r} 在运易组办〔2021〕1号中不存在（{_near(template.basis)}）")
    if template.applies_when is not None:
        try:
            rules.check(template.applies_when, set())
        except rules.RuleError as exc:
            problems.append(f"{where}: 检查表的 applies_when: {exc}")
    return problems, template


def _near(basis: str) -> str:
    """The paragraphs that exist under the cited one's section or part, to help the editor."""
    head = basis[:4] if "(" in basis else basis[:1]
    same = [p for p in policy.paragraphs() if p.startswith(head)]
    return "该部分现有：" + "、".join(same) if same else "现有段落：" + "、".join(policy.paragraphs())


def _needs_finding(template: Template) -> list[str]:
    """Items of a template's newest version that must say what was found with their own ``finding``
    pattern: numeric or choice items that raise an issue by a rule (a multi-choice ``require_all`` item
    names what is missing by itself). Old versions stay as they were written."""
    return [item.key for _, item in template.items()
            if item.raises_issue and not item.finding and (
                (item.type in ("number", "integer") and item.fails_when is not None)
                or (item.type == "multi" and not item.require_all)
                or (item.type == "single" and item.fails_when is not None))]


def _load(directory: Path) -> tuple[list[str], Registry]:
    problems: list[str] = []
    registry = Registry()
    files = sorted(directory.glob("*.yaml"))
    if not files:
        problems.append(f"{directory}: 没有检查表文件")
    for path in files:
        try:
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
        except yaml.YAMLError as exc:
            problems.append(f"{path.name}: YAML 语法错误: {exc}")
            continue
        found, template = _check_one(path, raw)
        problems.extend(found)
        if template is None or found:
            continue
        key = (template.id, template.version)
        if key in registry.templates:
            problems.append(f"{path.name}: 检查表 {template.id} 第 {template.version} 版重复")
            continue
        registry.templates[key] = template
        registry.digests[key] = digest(msgspec.to_builtins(template))
    for template in registry.all_latest():
        for item_key in _needs_finding(template):
            problems.append(f"{template.id}.v{template.version}.yaml: 检查项 {item_key}: 数值、选择题须写 finding（说明发现了什么）")
    return problems, registry


def check_templates(directory: Path = DEFAULT_DIR) -> list[str]:
    """Every problem in every file (empty: all good)."""
    return _load(directory)[0]


def load_templates(directory: Path = DEFAULT_DIR) -> Registry:
    problems, registry = _load(directory)
    if problems:
        raise ValueError("检查表有错误:\n" + "\n".join(problems))
    return registry


@lru_cache(maxsize=1)
def shipped() -> Registry:
    """The shipped templates (the YAML files), loaded once per process."""
    return load_templates(DEFAULT_DIR)


_merged: Registry | None = None
_stamp: tuple = ()


def registry() -> Registry:
    """Every template version: the shipped files and the versions published from the desk, as of
    this process's last :func:`refresh` (run before every request and every ledger job)."""
    return _merged or shipped()


async def refresh() -> None:
    """Bring the published versions into this process when the table changed (another node or
    request may have published one). Published versions never change, so a changed set of keys is
    the only change there is."""
    global _merged, _stamp
    from server.checklists.tables import PublishedTemplate

    keys = await PublishedTemplate.select(PublishedTemplate.key).order_by(PublishedTemplate.key)
    stamp = tuple(r["key"] for r in keys)
    if stamp == _stamp and (_merged is not None or not stamp):
        return  # the usual case: only the keys were read
    rows = await PublishedTemplate.select(PublishedTemplate.key, PublishedTemplate.source).order_by(PublishedTemplate.key)
    stamp = tuple(r["key"] for r in rows)
    merged = Registry(dict(shipped().templates), dict(shipped().digests))
    for r in rows:
        template = msgspec.convert(_strip(yaml.load(r["source"], Loader=_LineLoader)), Template)
        merged.templates[(template.id, template.version)] = template
        merged.digests[(template.id, template.version)] = digest(msgspec.to_builtins(template))
    _merged, _stamp = (merged if rows else None), stamp


#: the most values a version may hold once its aliases are expanded (the largest shipped one: ~700)
MAX_NODES = 100_000


def _too_big(value: Any, budget: int) -> bool:
    """True when ``value``, every alias expanded, holds more than ``budget`` values (stops early)."""
    stack = [value]
    while stack:
        budget -= 1
        if budget < 0:
            return True
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


def check_source(text: str, reg: Registry) -> tuple[list[str], Template | None]:
    """A new version written at the desk, checked as ``ducha templates check`` checks a file, and
    against the versions there are: it must be the next version of its template (or version 1 of
    a new one), and, being the newest, every number or choice item needs its finding."""
    try:
        raw = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        return [f"YAML 语法错误: {exc}"], None
    # aliases (*a) share what they name; a few lines of them nested can stand for billions of
    # values ("billion laughs"), which the checks below would walk one by one
    if _too_big(raw, MAX_NODES):
        return [f"内容展开后超过 {MAX_NODES} 个值（YAML 别名 *… 嵌套过多？）"], None
    if not isinstance(raw, dict):
        return ["内容应为一个检查表（YAML 映射）"], None
    name = f"{raw.get('id')}.v{raw.get('version')}.yaml"
    problems, template = _check_one(Path(name), raw)
    if template is None:
        return problems, None
    have = reg.versions(template.id)
    expected = (max(have) + 1) if have else 1
    if template.version != expected:
        problems.append(f"{name}: 版本号应为 {expected}（{template.id} 现有 {'、'.join(map(str, have)) or '无'} 版；已发布的版本不能修改）")
    problems.extend(f"{name}: 检查项 {k}: 数值、选择题须写 finding（说明发现了什么）" for k in _needs_finding(template))
    return problems, template


def summary(reg: Registry) -> dict[str, int]:
    items = [i for t in reg.templates.values() for _, i in t.items()]
    latest = [i for t in reg.all_latest() for _, i in t.items()]
    return {
        "template_versions": len(reg.templates),
        "templates": len(reg.all_latest()),
        "items_latest": len(latest),
        "items_latest_with_basis": sum(1 for i in latest if i.basis.strip()),
        "items_all_versions": len(items),
    }
