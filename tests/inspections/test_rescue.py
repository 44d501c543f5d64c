"""Importing an exported unsynced file: refused clearly when it is not one, or not the user's."""

import json

import pytest

from server.inspections.rescue import import_file
from server.lib.errors import Invalid

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


async def test_not_an_export_or_someone_elses_is_refused(world, tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text("{\"format\": \"other\"}", encoding="utf-8")
    with pytest.raises(Invalid, match="不是督查应用导出的"):
        await import_file(bad)
    theirs = tmp_path / "y.json"
    theirs.write_text(json.dumps({"format": "ducha-unsynced-1", "user": {"username": "inspector"}, "outbox": [], "photos": []}))
    with pytest.raises(Invalid, match="文件属于用户 inspector"):
        await import_file(theirs, "admin")
    assert await import_file(theirs) == []
    broken = tmp_path / "z.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(Invalid, match="无法读取导出文件"):
        await import_file(broken)
