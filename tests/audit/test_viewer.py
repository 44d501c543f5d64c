"""The audit log as the city admin reads it: events filtered and paged, and the chain's status."""

from server.audit.tables import AuditEvent
from server.lib import db
from tests.audit.test_chain import _some_events


async def test_the_city_admin_filters_and_pages_the_events(world):
    await _some_events(world)
    admin = await world.client("admin")
    page = (await admin.get("/api/audit/events", params={"limit": 2})).json()
    assert page["total"] == await AuditEvent.count() and len(page["items"]) == 2
    assert page["items"][0]["seq"] > page["items"][1]["seq"]  # newest first
    updates = (await admin.get("/api/audit/events", params={"action": "site.update", "actor": "admin"})).json()
    assert updates["total"] == 3 and {e["object_id"] for e in updates["items"]} == {str(world.sites["a1"])}
    prefix = (await admin.get("/api/audit/events", params={"action": "site."})).json()
    assert prefix["total"] >= 3 and all(e["action"].startswith("site.") for e in prefix["items"])
    one = (await admin.get("/api/audit/events", params={"object_type": "site", "object_id": str(world.sites["a1"]), "offset": 1,
                                                         "limit": 1})).json()
    assert one["total"] >= 3 and len(one["items"]) == 1 and one["items"][0]["object_id"] == str(world.sites["a1"])
    none = (await admin.get("/api/audit/events", params={"from": "2001-01-01", "to": "2001-01-31"})).json()
    assert none == {"items": [], "total": 0, "offset": 0, "limit": 50}
    assert (await admin.get("/api/audit/events", params={"from": "1999-01-01"})).status_code in (400, 422)


async def test_only_the_city_admin_reads_the_log(world):
    for username in ("inspector", "county_a", "site_a1", "fire_a"):
        client = await world.client(username)
        for path in ("/api/audit/events", "/api/audit/verification"):
            r = await client.get(path)
            assert r.status_code == 403 and r.json()["message"] == "审计日志只对市级管理员开放", (username, path)


async def test_the_chain_status_names_the_first_altered_event(world):
    await _some_events(world)
    admin = await world.client("admin")
    status = (await admin.get("/api/audit/verification")).json()
    assert status["ok"] is True and status["events"] == status["head_seq"] and status["first_broken_seq"] is None
    target = (await AuditEvent.select(AuditEvent.seq).where(AuditEvent.action == "site.update").order_by(AuditEvent.seq).first())["seq"]
    await db.execute(f"UPDATE audit_event SET actor = 'mallory' WHERE seq = {int(target)}")
    status = (await admin.get("/api/audit/verification")).json()
    assert status["ok"] is False and status["first_broken_seq"] == target and f"事件 {target} 的内容已被修改" in status["reason"]
