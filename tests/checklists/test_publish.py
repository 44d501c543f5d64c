"""A new template version made at the desk: checked by the same checker as the files, published by
the city admin (audited, never changing an old version), and used by the next visit."""

import asyncio

from server.checklists.tables import PublishedTemplate
from tests.audit.helpers import assert_audited
from tests.inspections.helpers import body, new_uuid

NEW_TEXT = "已采用的监测方式（含网格员走访）"


async def _draft(client) -> str:
    r = await client.get("/api/templates/monitoring/versions/2/source")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/yaml")
    return r.text.replace("version: 2", "version: 3", 1).replace("text: 已采用的监测方式", f"text: {NEW_TEXT}", 1)


async def test_the_city_admin_publishes_a_version_and_the_next_visit_uses_it(world):
    admin = await world.client("admin")
    draft = await _draft(admin)
    check = (await admin.post("/api/templates/drafts/check", json={"source": draft})).json()
    assert check == {"ok": True, "problems": [], "template_id": "monitoring", "version": 3, "items": check["items"]} and check["items"] > 10
    r = await admin.post("/api/templates/versions", json={"source": draft, "note": "2026年修订：监测方式加网格员走访"})
    assert r.status_code == 201, r.text
    assert r.json()["versions"] == [1, 2, 3] and r.json()["latest"] == 3
    await assert_audited("template.publish", "monitoring.v3", actor="admin", version=3, note="2026年修订：监测方式加网格员走访")
    # the phone's list of templates now names version 3; the old versions stay as they were
    listed = next(t for t in (await (await world.client("inspector")).get("/api/templates")).json() if t["id"] == "monitoring")
    assert listed["version"] == 3
    v3 = (await admin.get("/api/templates/monitoring/versions/3")).json()
    assert v3["sections"][0]["items"][0]["text"] == NEW_TEXT
    assert (await admin.get("/api/templates/monitoring/versions/2")).json()["sections"][0]["items"][0]["text"] == "已采用的监测方式"
    assert (await admin.get("/api/templates/monitoring/versions/3/source")).text == draft
    # a visit on the new version is judged by it
    inspector = await world.client("inspector")
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=body(world.sites["a1"], 35.03, 111.01, "monitoring"))
    assert r.status_code == 200, r.text
    assert r.json()["templates"] == [{"id": "monitoring", "version": 3}]


async def test_a_draft_with_problems_is_refused_with_every_problem_and_nothing_is_stored(world):
    admin = await world.client("admin")
    draft = (await _draft(admin)).replace("basis: 三(一)一", "basis: 三(九)七", 1)
    check = (await admin.post("/api/templates/drafts/check", json={"source": draft})).json()
    assert check["ok"] is False and any("三(九)七" in p for p in check["problems"])
    r = await admin.post("/api/templates/versions", json={"source": draft})
    assert r.status_code == 422 and r.json()["error"] == "template_invalid" and r.json()["detail"]["problems"] == check["problems"]
    old = (await _draft(admin)).replace("version: 3", "version: 2", 1)  # an old version cannot be replaced
    r = await admin.post("/api/templates/versions", json={"source": old})
    assert r.status_code == 422 and "版本号应为 3" in r.json()["detail"]["problems"][-1]
    bad_yaml = await admin.post("/api/templates/drafts/check", json={"source": "id: [unclosed"})
    assert bad_yaml.json()["ok"] is False and "YAML" in bad_yaml.json()["problems"][0]
    rows = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"] + [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    r = await admin.post("/api/templates/versions", json={"source": "\n".join(rows)})  # 10^9 values once expanded
    assert r.status_code == 422 and "别名" in r.json()["detail"]["problems"][0]
    assert await PublishedTemplate.count() == 0


async def test_only_the_city_admin_publishes_and_two_at_once_publish_once(world):
    admin = await world.client("admin")
    draft = await _draft(admin)
    for username in ("inspector", "county_a"):
        r = await (await world.client(username)).post("/api/templates/versions", json={"source": draft})
        assert r.status_code == 403, username
    other = await world.client("admin")
    a, b = await asyncio.gather(admin.post("/api/templates/versions", json={"source": draft}),
                                other.post("/api/templates/versions", json={"source": draft}))
    assert sorted([a.status_code, b.status_code]) in ([201, 409], [201, 422])
    assert await PublishedTemplate.count() == 1
