"""报送: a county team sends its month's ledgers; the city office sees who sent what, when, and
who is missing or late; the file is frozen; a configured SMTP server gets it by e-mail."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from server.lib import clock
from server.settings import get_settings, use_settings
from tests.audit.helpers import assert_audited
from tests.ledgers.helpers import visit_with_issues, wait_done
from tests.world import settings_with

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


async def _pdf(client, kind: str, **params) -> dict:
    body = {"kind": kind, "date_from": "2026-11-01", "date_to": "2026-11-30", **params}
    r = await client.post("/api/ledgers", json={k: v for k, v in body.items() if v is not None})
    assert r.status_code == 202, r.text
    job = await wait_done(client, r.json())
    assert job["state"] == "done", job["error"]
    return job


NOVEMBER = datetime(2026, 11, 20, 10, 0, tzinfo=clock.SHANGHAI)  # the month the ledgers are for
DECEMBER_2 = datetime(2026, 12, 2, 9, 0, tzinfo=clock.SHANGHAI)  # the month is over: its ledgers are made


async def test_submission_is_recorded_once_and_the_city_sees_missing_and_late(world):
    clock.freeze(NOVEMBER)
    await visit_with_issues(world, "a1")
    clock.freeze(DECEMBER_2)
    county = await world.client("county_a")
    jobs = {kind: await _pdf(county, kind) for kind in ("work", "issues")}

    clock.freeze(datetime(2026, 12, 3, 10, 0, tzinfo=clock.SHANGHAI))  # before the 5th: on time
    county = await world.client("county_a")
    first = await county.post(f"/api/ledgers/{jobs['work']['uuid']}/submission", json={"period": "2026-11"})
    again = await county.post(f"/api/ledgers/{jobs['work']['uuid']}/submission", json={"period": "2026-11"})
    assert first.status_code == again.status_code == 200 and first.json()["id"] == again.json()["id"]
    assert first.json()["late"] is False and first.json()["sha256"] == jobs["work"]["sha256"]
    await assert_audited("ledger.submit", jobs["work"]["uuid"], actor="county_a")

    clock.freeze(datetime(2026, 12, 8, 9, 0, tzinfo=clock.SHANGHAI))  # after the 5th: late
    county = await world.client("county_a")
    late = await county.post(f"/api/ledgers/{jobs['issues']['uuid']}/submission", json={"period": "2026-11"})
    assert late.status_code == 200 and late.json()["late"] is True

    admin = await world.client("admin")
    inbox = (await admin.get("/api/ledgers/submissions", params={"period": "2026-11"})).json()
    yanhu = next(c for c in inbox if c["county_name"] == "盐湖区")
    by_kind = {l["kind"]: l for l in yanhu["ledgers"]}
    assert by_kind["work"]["status"] == "on_time" and by_kind["work"]["submitted_by"]
    assert by_kind["issues"]["status"] == "late" and by_kind["rectification"]["status"] == "missing"
    linyi = next(c for c in inbox if c["county_name"] == "临猗县")
    assert {l["status"] for l in linyi["ledgers"]} == {"missing"}
    sent = await admin.get(by_kind["work"]["file"])
    assert sent.status_code == 200 and sent.headers["x-content-sha256"] == jobs["work"]["sha256"]

    assert (await county.get("/api/ledgers/submissions", params={"period": "2026-11"})).status_code == 403
    other = await world.client("county_b")
    r = await other.post(f"/api/ledgers/{jobs['work']['uuid']}/submission", json={"period": "2026-11"})
    assert r.status_code == 404
    bad = await county.post(f"/api/ledgers/{jobs['work']['uuid']}/submission", json={"period": "2026-13"})
    assert bad.status_code == 422 and bad.json()["error"] == "bad_period"


async def test_a_submission_is_emailed_to_the_city_office(world, tmp_path):
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(Handler(), hostname="127.0.0.1", port=port)
    smtp.start()
    saved = get_settings()
    try:
        use_settings(settings_with(smtp_host="127.0.0.1", smtp_port=port,
                                   ledger_mail_to="yiqianban@example.cn", smtp_from="ducha@example.cn"))
        clock.freeze(NOVEMBER)
        await visit_with_issues(world, "a1")
        clock.freeze(DECEMBER_2)
        county = await world.client("county_a")
        job = await _pdf(county, "rectification")
        r = await county.post(f"/api/ledgers/{job['uuid']}/submission", json={"period": "2026-11"})
        assert r.status_code == 200 and r.json()["emailed"] is True
        for _ in range(50):
            if received:
                break
            await asyncio.sleep(0.1)
        import email
        from email import policy

        assert received[0].rcpt_tos == ["yiqianban@example.cn"]
        mail = email.message_from_bytes(received[0].content, policy=policy.default)
        assert mail["Subject"] == "【台账报送】盐湖区 2026-11 整改台账"
        text = mail.get_body(("plain",)).get_content()
        assert job["sha256"] in text
        # the audit chain as it stood, for the office to keep: it checks against the chain
        from server.audit.service import Anchor, verify

        kept = Anchor.parse(next(line for line in text.splitlines() if line.startswith('{"seq"')))
        assert kept.seq > 0 and (await verify([kept])).ok
        await assert_audited("ledger.mailed", r.json()["id"], actor="system", to="yiqianban@example.cn")
        attachment = next(mail.iter_attachments())
        assert attachment.get_content_type() == "application/pdf" and attachment.get_content().startswith(b"%PDF")
    finally:
        use_settings(saved)
        smtp.stop()


async def _refusal(county, job: dict, period: str = "2026-11") -> tuple[int, str, str]:
    r = await county.post(f"/api/ledgers/{job['uuid']}/submission", json={"period": period})
    return r.status_code, r.json().get("error", ""), r.json().get("message", "")


async def test_a_submission_is_what_it_claims_or_refused_with_the_reason(world):
    clock.freeze(NOVEMBER)
    await visit_with_issues(world, "a1")
    county = await world.client("county_a")
    early = await _pdf(county, "issues")  # made on 20 November: the month is not over
    status, code, message = await _refusal(county, early)
    assert (status, code) == (422, "period_not_over") and "2026年11月尚未结束" in message
    clock.freeze(DECEMBER_2)
    county = await world.client("county_a")
    assert await _refusal(county, early) == (422, "made_too_early", "这份台账生成于2026年11月结束之前，未包含整月情况；请重新生成后报送")
    september = await _pdf(county, "work", date_from="2026-09-01", date_to="2026-09-30")
    status, code, message = await _refusal(county, september)
    assert (status, code) == (422, "wrong_period") and "2026-09-01 至 2026-09-30" in message and "2026年11月" in message
    closed_only = await _pdf(county, "rectification", state="closed")
    status, code, message = await _refusal(county, closed_only)
    assert (status, code) == (422, "not_whole_county") and "状态" in message
    closure = await _pdf(county, "closure")
    status, code, message = await _refusal(county, closure)
    assert (status, code) == (422, "not_required_kind") and "销号台账不属于月度报送" in message
    sheet = await _pdf(county, "issues", format="xlsx")
    assert (await _refusal(county, sheet))[:2] == (422, "not_pdf")
    future = await _pdf(county, "issues", date_from="2027-05-01", date_to="2027-05-31")
    status, code, message = await _refusal(county, future, "2027-05")
    assert (status, code) == (422, "period_not_over") and "2027年5月尚未结束" in message
    assert (await _refusal(county, await _pdf(county, "issues"), "2026-10"))[:2] == (422, "wrong_period")

    admin = await world.client("admin")
    inbox = (await admin.get("/api/ledgers/submissions", params={"period": "2026-11"})).json()
    assert all(l["status"] == "pending" for c in inbox for l in c["ledgers"])  # nothing refused was recorded
    for period in ("2026-09", "2027-05", "2026-10"):
        inbox = (await admin.get("/api/ledgers/submissions", params={"period": period})).json()
        assert not any(l["files"] for c in inbox for l in c["ledgers"])


async def test_a_correction_keeps_the_earlier_submission_and_two_at_once_do_not_both_come_first(world):
    clock.freeze(NOVEMBER)
    await visit_with_issues(world, "a1")
    clock.freeze(DECEMBER_2)
    county = await world.client("county_a")
    one = await _pdf(county, "issues")
    clock.freeze(DECEMBER_2.replace(hour=11))  # the second made later: another file
    two = await _pdf(county, "issues")
    answers = await asyncio.gather(*(county.post(f"/api/ledgers/{j['uuid']}/submission", json={"period": "2026-11"}) for j in (one, two)))
    codes = sorted((r.status_code, r.json().get("error", "")) for r in answers)
    assert codes == [(200, ""), (422, "correction_note_required")]
    loser = one if answers[1].status_code == 200 else two
    r = await county.post(f"/api/ledgers/{loser['uuid']}/submission", json={"period": "2026-11", "note": "补录一条 11 月 30 日发现的问题"})
    assert r.status_code == 200 and r.json()["replaces"] is not None and r.json()["note"].startswith("补录")

    admin = await world.client("admin")
    yanhu = next(c for c in (await admin.get("/api/ledgers/submissions", params={"period": "2026-11"})).json() if c["county_name"] == "盐湖区")
    issues = next(l for l in yanhu["ledgers"] if l["kind"] == "issues")
    assert issues["status_name"] == "按时报送（已更正）" and len(issues["files"]) == 2
    first, correction = issues["files"]
    assert (first["correction"], correction["correction"]) == (False, True) and correction["note"].startswith("补录")
    assert first["sha256"] != correction["sha256"] and issues["sha256"] == correction["sha256"]
    assert first["covers"] == "盐湖区全县，2026-11-01 至 2026-11-30"
    for f in (first, correction):  # the earlier file is still there to read
        assert (await admin.get(f["file"])).status_code == 200


async def test_unfinished_jobs_answer_409_and_one_uuid_sent_six_times_at_once_is_one_job(world):
    from uuid import uuid4

    from server.ledgers.tables import LedgerJob

    clock.freeze(DECEMBER_2)
    county = await world.client("county_a")
    uuid = str(uuid4())
    body = {"kind": "issues", "date_from": "2026-11-01", "date_to": "2026-11-30", "uuid": uuid}
    answers = await asyncio.gather(*(county.post("/api/ledgers", json=body) for _ in range(6)))
    assert [r.status_code for r in answers] == [202] * 6 and {r.json()["uuid"] for r in answers} == {uuid}
    assert await LedgerJob.count().where(LedgerJob.uuid == uuid) == 1
    running = LedgerJob(uuid=uuid4(), kind="work", format="pdf", requested_by=world.users["county_a"],
                        county=world.counties["盐湖区"], created_at=clock.now(), state="running",
                        filters={"county_id": world.counties["盐湖区"], "date_from": "2026-11-01", "date_to": "2026-11-30"})
    await running.save()
    r = await county.get(f"/api/ledgers/{running.uuid}/file")
    assert r.status_code == 409 and r.json()["error"] == "not_ready" and "生成中" in r.json()["message"]
    r = await county.post(f"/api/ledgers/{running.uuid}/submission", json={"period": "2026-11"})
    assert r.status_code == 409 and r.json()["error"] == "not_ready"
