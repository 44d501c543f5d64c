"""Nothing the inspector enters is lost: the phone refuses an answer as the server would, at the item
and in 提交前核对; a visit the server still refuses comes back as 退回修改 with every problem, each a
link to its item, and once mended goes again under the same UUID, joined by its photos; a draft on an
older template version is taken on that version after a newer one is published."""

from __future__ import annotations

import asyncio

from playwright.async_api import expect

from server.checklists.loader import registry
from server.inspections.tables import Inspection
from server.photos.tables import Photo
from tests.pwa.driver import all_synced, fill_everything, go_offline, go_online, log_in, start_visit, submit, sync_now

SITE = "盐湖测试安置点一"
FIRE = "消防措施督查表"
STOREYS = "安置点住宅楼最高层数"

# one draft and its outbox entry changed together in IndexedDB, as an older app version would have
# written them: an answer the server refuses
SPOIL = """async ([uuid, key, value]) => {
  const open = indexedDB.open("ducha");
  const db = await new Promise((ok) => (open.onsuccess = () => ok(open.result)));
  const tx = db.transaction(["drafts", "outbox"], "readwrite");
  const get = (store, k) => new Promise((ok) => { const r = tx.objectStore(store).get(k); r.onsuccess = () => ok(r.result); });
  const draft = await get("drafts", uuid);
  const item = await get("outbox", `inspection:${uuid}`);
  if (!item.attempts) { tx.abort(); db.close(); return false; } // the offline try has not been written back yet
  draft.answers["fire-safety"][key] = value;
  item.body.answers["fire-safety"][key] = value;
  tx.objectStore("drafts").put(draft);
  tx.objectStore("outbox").put(item);
  await new Promise((ok) => (tx.oncomplete = ok));
  db.close();
  return true;
}"""


async def _photos_arrived(uuid: str, n: int, timeout: float = 30) -> None:
    """Until the server holds the visit's n photos (the outbox sends them after the visit record)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (got := await Photo.count().where(Photo.inspection_uuid == uuid)) != n:
        assert loop.time() < deadline, f"{got} of {n} photos arrived"
        await asyncio.sleep(0.2)


async def test_the_phone_refuses_an_answer_out_of_range_as_the_server_would(world, phone):
    page = await (await phone()).new_page()
    await log_in(page, "inspector")
    await start_visit(page, SITE, [FIRE])
    item = page.locator(".item", has=page.locator(".item-text", has_text=STOREYS))
    await item.locator("input[type=number]").fill("105")
    await expect(item.locator(".item-problem")).to_have_text(f"「{STOREYS}」不能大于 60 层")  # at the item, with the unit
    await item.locator("input[type=number]").fill("2.5")
    await expect(item.locator(".item-problem")).to_have_text(f"「{STOREYS}」应为整数")
    await page.get_by_role("button", name="提交").click()
    sheet = page.get_by_role("dialog")
    await expect(sheet.locator(".review-missing li", has_text="应为整数")).to_have_count(1)
    await expect(sheet.get_by_role("button", name="确认提交")).to_be_disabled()
    await sheet.locator(".review-missing li button", has_text="应为整数").click()
    await expect(item.locator("input[type=number]")).to_be_focused()
    await item.locator("input[type=number]").fill("6")
    await expect(item.locator(".item-problem")).to_be_empty()


async def test_a_refused_visit_comes_back_to_be_mended_and_goes_again_once(world, phone):
    ctx = await phone(service_workers="block")  # so going offline holds every request (a worker's own fetches too)
    page = await ctx.new_page()
    await log_in(page, "inspector")
    uuid = await start_visit(page, SITE, [FIRE])
    filled = await fill_everything(page, fail=1)
    key = (await page.locator(".item", has=page.locator(".item-text", has_text=STOREYS)).get_attribute("data-key")).split("/")[1]
    await go_offline(ctx)
    await submit(page)
    # once the phone's offline try is written back (else that write would put the old body back)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while not await page.evaluate(SPOIL, [uuid, key, 105]):
        assert loop.time() < deadline, "the offline try was never recorded"
        await asyncio.sleep(0.1)
    assert await Inspection.count() == 0
    await go_online(ctx)
    await sync_now(page)

    # the photos went up; the visit came back with every problem the server named
    await page.locator("#syncbar a").click()
    card = page.locator(".returned-card")
    await expect(card).to_contain_text("退回修改", timeout=30000)
    problem = card.get_by_role("link", name=f"「{STOREYS}」不能大于 60 层")
    await expect(problem).to_be_visible()
    await expect(page.locator("#syncbar")).to_contain_text("1 份退回修改")
    assert await Inspection.count() == 0
    await _photos_arrived(uuid, filled["photos"])

    await problem.click()  # straight to the item, editable again
    item = page.locator(".item", has=page.locator(".item-text", has_text=STOREYS))
    await expect(item.locator(".item-problem")).to_have_text(f"「{STOREYS}」不能大于 60 层")
    await expect(item.locator("input[type=number]")).to_be_focused()
    await item.locator("input[type=number]").fill("6")
    await submit(page)
    await all_synced(page)
    rows = await Inspection.select(Inspection.uuid, Inspection.answers).where(Inspection.uuid == uuid).output(load_json=True)
    assert len(rows) == 1 and rows[0]["answers"]["fire-safety"][key] == 6
    assert await Photo.count().where(Photo.inspection_uuid == uuid) == filled["photos"]
    await expect(page.locator("#syncbar")).not_to_contain_text("退回修改")


async def test_a_draft_on_an_older_version_is_taken_on_it_after_a_newer_one_is_published(world, phone):
    page = await (await phone()).new_page()
    await log_in(page, "inspector")
    await start_visit(page, SITE, [FIRE])
    old = registry().latest("fire-safety")
    await fill_everything(page, fail=0)

    # the office publishes version N+1 while the draft is open on N; the phone learns of it
    admin = await world.client("admin")
    source = (await admin.get(f"/api/templates/fire-safety/versions/{old.version}/source")).text
    newer = source.replace(f"version: {old.version}", f"version: {old.version + 1}", 1).replace("help: 数地上层数", "help: 数地上层数（新版）", 1)
    r = await admin.post("/api/templates/versions", json={"source": newer, "note": "新版"})
    assert r.status_code == 201, r.text
    await page.reload()
    await expect(page.locator(".template-title")).to_contain_text(f"第{old.version}版")
    await submit(page)
    await all_synced(page)
    row = await Inspection.select(Inspection.templates).output(load_json=True).first()
    assert row["templates"] == [{"id": "fire-safety", "version": old.version}]
    assert registry().latest("fire-safety").version == old.version + 1
