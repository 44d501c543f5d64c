"""报送: a county team sends its month's ledgers; the city office sees who sent what, when, and
who is missing or late; the file is frozen; a configured SMTP server gets it by e-mail."""

from __future__ import annotations

import asyncio
from datetime import datetime

from server.lib import clock
from server.settings import get_settings, use_settings
from tests.ledgers.helpers import visit_with_issues, wait_done
from tests.world import settings_with


async def _pdf(client, kind: str) -> dict:
    r = await client.post("/api/ledgers", json={"kind": kind, "date_from": "2026-11-01", "date_to": "2026-11-30"})
    assert r.status_code == 202, r.text
    job = await wait_done(client, r.json())
    assert job["state"] == "done", job["error"]
    return job


NOVEMBER = datetime(2026, 11, 20, 10, 0, tzinfo=clock.SHANGHAI)  # the month the ledgers are for


async def test_submission_is_recorded_once_and_the_city_sees_missing_and_late(world):
    clock.freeze(NOVEMBER)
    await visit_with_issues(world, "a1")
    county = await world.client("county_a")
    jobs = {kind: await _pdf(county, kind) for kind in ("work", "issues")}

    clock.freeze(datetime(2026, 12, 3, 10, 0, tzinfo=clock.SHANGHAI))  # before the 5th: on time
    county = await world.client("county_a")
    first = await county.post(f"/api/ledgers/{jobs['work']['uuid']}/submission", json={"period": "2026-11"})
    again = await county.post(f"/api/ledgers/{jobs['work']['uuid']}/submission", json={"period": "2026-11"})
    assert first.status_code == again.status_code == 200 and first.json()["id"] == again.json()["id"]
    assert first.json()["late"] is False and first.json()["sha256"] == jobs["work"]["sha256"]

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
        assert job["sha256"] in mail.get_body(("plain",)).get_content()
        attachment = next(mail.iter_attachments())
        assert attachment.get_content_type() == "application/pdf" and attachment.get_content().startswith(b"%PDF")
    finally:
        use_settings(saved)
        smtp.stop()
