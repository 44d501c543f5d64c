"""From the shell: `ducha ledger KIND ... -o FILE` and `ducha ledger verify FILE`."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime

import pytest

from server.lib import clock
from tests.conftest import ROOT
from tests.ledgers.helpers import visit_with_issues


def ducha(*args: str) -> subprocess.CompletedProcess:
    """The shell command, on the test's clock (DUCHA_TEST_CLOCK)."""
    env = {**os.environ, "DUCHA_TEST_CLOCK": clock.now().isoformat()}
    return subprocess.run([sys.executable, "-m", "server.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.own_clock
async def test_shell_ledger_then_verify_same_altered_unknown(world, tmp_path):
    clock.freeze(datetime(2026, 5, 20, 10, 0, tzinfo=clock.SHANGHAI))
    await visit_with_issues(world, "a1")
    await visit_with_issues(world, "b1", fail=("smoke_alarms",))
    out = tmp_path / "盐湖区问题台账.pdf"
    made = ducha("ledger", "issues", "--county", "盐湖区", "--from", "2026-05-01", "--to", "2026-05-31", "-o", str(out))
    assert made.returncode == 0, made.stderr
    assert "2 条" in made.stdout and out.read_bytes().startswith(b"%PDF")

    same = ducha("ledger", "verify", str(out))
    assert same.returncode == 0 and "与服务器存档一致" in same.stdout

    altered = tmp_path / "altered.pdf"
    altered.write_bytes(out.read_bytes() + b"\n%edited\n")
    changed = ducha("ledger", "verify", str(altered))
    assert changed.returncode == 1 and "可能被修改过" in changed.stdout

    stranger = tmp_path / "other.pdf"
    stranger.write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert ducha("ledger", "verify", str(stranger)).returncode == 2

    wrong = ducha("ledger", "issues", "--county", "不存在县", "-o", str(tmp_path / "x.pdf"))
    assert wrong.returncode != 0 and "没有这个县" in wrong.stderr


@pytest.mark.own_clock
async def test_shell_ledger_says_what_is_wrong_with_its_arguments(world, tmp_path):
    clock.freeze(datetime(2026, 5, 20, 10, 0, tzinfo=clock.SHANGHAI))
    cases = [
        (("issues", "--from", "2026-13-01"), "--from 不是日期"),
        (("issues", "--from", "2026-05-31", "--to", "2026-05-01"), "开始日期（2026-05-31）不能晚于结束日期（2026-05-01）"),
        (("issues", "--area", "绿化"), "没有这个类别：绿化"),
        (("visit", "--inspection", "00000000-0000-4000-8000-000000000000"), "督查记录不存在"),
        (("visit", "--inspection", "not-a-uuid"), "督查记录须指定一次督查"),
        (("issues", "--format", "pdf", "-o", str(tmp_path / "x.xlsx")), "扩展名与格式 pdf 不符"),
    ]
    for args, message in cases:
        if "-o" not in args:
            args = (*args, "-o", str(tmp_path / "x.pdf"))
        done = ducha("ledger", *args)
        assert done.returncode != 0 and message in done.stderr and "Traceback" not in done.stderr, (args, done.stderr)
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "x.xlsx").exists()

    sheet = tmp_path / "台账.xlsx"  # the extension says the format
    made = ducha("ledger", "work", "-o", str(sheet))
    assert made.returncode == 0, made.stderr
    assert sheet.read_bytes()[:2] == b"PK"

    missing = ducha("ledger", "verify", str(tmp_path / "nowhere.pdf"))
    assert missing.returncode == 3 and "无法读取文件" in missing.stderr


async def test_the_web_app_checks_a_file_same_altered_unknown(world):
    from tests.ledgers.helpers import wait_done

    await visit_with_issues(world, "a1")
    county = await world.client("county_a")
    job = await wait_done(county, (await county.post("/api/ledgers", json={"kind": "issues", "format": "xlsx"})).json())
    data = (await county.get(job["file_url"])).content
    admin = await world.client("admin")

    async def check(body: bytes):
        return await admin.post("/api/ledgers/verification", content=body, headers={"Content-Type": "application/octet-stream"})

    same = (await check(data)).json()
    assert same["verdict"] == "same" and same["kind_name"] == "问题台账" and same["file_name"] == job["file_name"]
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    wb.worksheets[0]["B3"] = "盐湖-2026-9999"  # a number changed, the digest left as it was
    out = io.BytesIO()
    wb.save(out)
    altered = (await check(out.getvalue())).json()
    assert altered["verdict"] == "altered" and "可能被修改过" in altered["message"] and altered["file_name"] is None
    assert (await check(b"%PDF-1.4\n%%EOF\n")).json()["verdict"] == "unknown"
    empty = await check(b"")
    assert empty.status_code == 422 and empty.json()["error"] == "empty_file"
    assert (await (await world.client()).post("/api/ledgers/verification", content=data)).status_code in (401, 403)
