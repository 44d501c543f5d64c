"""An inspector with no network: log in once, fill a whole visit with photos, reload, submit,
come back online, and find exactly one inspection, its photos and its issues on the server."""

from __future__ import annotations

import json

from playwright.async_api import expect

from server.inspections.tables import Inspection
from server.issues.tables import Issue
from server.photos.tables import Photo
from tests.pwa.driver import (
    all_synced,
    fill_everything,
    go_offline,
    go_online,
    log_in,
    log_out,
    open_visit,
    start_visit,
    submit,
    sync_now,
    wait_for_service_worker,
)

SITE = "盐湖测试安置点一"
TEMPLATES = ["社区治理与社会融入督查表", "产业就业督查表"]


async def _server_state(site_id: int) -> dict:
    visits = await Inspection.select().where(Inspection.site == site_id)
    photos = await Photo.select().where(Photo.site == site_id)
    issues = await Issue.select().where(Issue.site == site_id)
    return {"visits": visits, "photos": photos, "issues": issues}


async def _answers_on_page(page) -> int:
    return await page.evaluate("""() => document.querySelectorAll('.choice.on').length
        + [...document.querySelectorAll('.item input[type=number], .item textarea')].filter(e => e.value).length""")


async def test_a_whole_visit_offline_with_service_worker(world, phone):
    ctx = await phone()
    page = await ctx.new_page()
    await log_in(page, "inspector")
    await wait_for_service_worker(page)
    await go_offline(ctx)

    # the app opens from the service worker's cache with no network at all
    await page.reload()
    await expect(page.get_by_role("link", name="开始督查")).to_be_visible()
    uuid = await start_visit(page, SITE, TEMPLATES)
    done = await fill_everything(page, fail=2)
    assert done["failed"] == 2 and done["photos"] >= 3
    answered = await _answers_on_page(page)
    thumbs = await page.locator("figure.thumb").count()

    # the draft lives in IndexedDB: a reload with no network finds it whole
    await page.reload()
    await expect(page.locator(".arrived")).to_be_visible()
    assert await _answers_on_page(page) == answered
    await expect(page.locator("figure.thumb")).to_have_count(thumbs)
    await expect(page.locator(".photos figcaption").first).to_contain_text("距安置点")

    await submit(page)
    await expect(page.locator("#pending-count")).to_have_text(f"待同步 {thumbs + 1} 项")
    assert (await _server_state(world.sites["a1"]))["visits"] == []

    # back online: the outbox drains by itself ("online" event), each item once
    await go_online(ctx)
    await page.evaluate("window.dispatchEvent(new Event('online'))")
    await all_synced(page, timeout=30000)
    state = await _server_state(world.sites["a1"])
    assert [str(v["uuid"]) for v in state["visits"]] == [uuid]
    visit = state["visits"][0]
    assert visit["state"] == "submitted" and visit["arrival_distance_m"] < 200
    assert len(state["photos"]) == thumbs and all(str(p["inspection_uuid"]) == uuid for p in state["photos"])
    issue_ids = json.loads(visit["issue_ids"]) if isinstance(visit["issue_ids"], str) else visit["issue_ids"]
    assert sorted(issue_ids) == sorted(i["id"] for i in state["issues"]) and len(issue_ids) == 2
    assert all(i["photos"] not in ([], "[]") for i in state["issues"])  # the evidence went with the issues

    # compressed on the phone: 1600 px long edge at most, upright, EXIF GPS read before compression
    by_size = sorted(state["photos"], key=lambda p: p["width"] * p["height"])
    assert max(max(p["width"], p["height"]) for p in state["photos"]) <= 1600
    assert all(p["size_bytes"] <= 500_000 for p in state["photos"])
    iphone = [p for p in state["photos"] if p["exif_lat"] and 40 < p["exif_lat"] < 41]
    assert iphone and iphone[0]["far_from_site"] is True  # taken in Madrid, says its EXIF
    portrait = [p for p in by_size if (p["width"], p["height"]) == (450, 600)]
    assert portrait, [(p["width"], p["height"]) for p in by_size]  # EXIF orientation 6 applied

    # a second sync sends nothing again
    await page.locator("#sync-now").click()
    await expect(page.locator("#sync-now")).to_have_text("立即同步")
    again = await _server_state(world.sites["a1"])
    assert len(again["visits"]) == 1 and len(again["photos"]) == thumbs and len(again["issues"]) == 2


async def test_without_service_worker_drafts_and_outbox_still_work(world, phone):
    """WeChat's in-app browser and some iOS webviews have no service worker."""
    ctx = await phone(service_workers="block")
    page = await ctx.new_page()
    await log_in(page, "inspector")
    assert await page.evaluate("navigator.serviceWorker ? navigator.serviceWorker.controller : null") is None
    await go_offline(ctx)
    uuid = await start_visit(page, SITE, TEMPLATES[:1])
    await fill_everything(page, fail=1)
    answered = await _answers_on_page(page)

    # no cached shell: the page comes from the server, but the API stays unreachable
    await ctx.unroute("**/*")
    await ctx.set_offline(False)
    await ctx.route("**/api/**", lambda route: route.abort("internetdisconnected"))
    await page.reload()
    await expect(page.locator(".arrived")).to_be_visible()
    assert await _answers_on_page(page) == answered
    await submit(page)
    await sync_now(page)
    await expect(page.locator(".syncbar")).to_contain_text("待同步")
    assert (await _server_state(world.sites["a1"]))["visits"] == []

    await ctx.unroute("**/api/**")
    await sync_now(page)
    await all_synced(page, timeout=30000)
    state = await _server_state(world.sites["a1"])
    assert [str(v["uuid"]) for v in state["visits"]] == [uuid] and len(state["issues"]) == 1


async def test_a_server_error_keeps_the_item_queued_and_shows_it(world, phone):
    ctx = await phone()
    page = await ctx.new_page()
    await log_in(page, "inspector")
    uuid = await start_visit(page, SITE, TEMPLATES[:1])
    await fill_everything(page, fail=0)
    failing = {"error": "internal", "message": "服务器内部错误，请稍后重试", "detail": None}
    await ctx.route("**/api/inspections/**", lambda route: route.fulfill(status=500, content_type="application/json", body=json.dumps(failing)))
    await submit(page)
    await sync_now(page)
    await expect(page.locator(".syncbar")).to_contain_text("1 项同步出错", timeout=20000)
    await expect(page.locator("#pending-count")).to_have_text("待同步 1 项")
    await page.goto("/#/sync")
    await expect(page.locator(".item-error")).to_contain_text("服务器内部错误，请稍后重试 (500)")
    assert (await _server_state(world.sites["a1"]))["visits"] == []

    # nothing expires: the same item goes through once the server recovers
    await ctx.unroute("**/api/inspections/**")
    await page.get_by_role("button", name="立即同步").last.click()
    await all_synced(page, timeout=20000)
    state = await _server_state(world.sites["a1"])
    assert [str(v["uuid"]) for v in state["visits"]] == [uuid] and state["issues"] == []


async def test_another_user_on_the_same_phone_never_uploads_what_is_not_theirs(world, phone):
    ctx = await phone()
    page = await ctx.new_page()
    await log_in(page, "inspector")
    await go_offline(ctx)
    uuid = await start_visit(page, SITE, TEMPLATES[:1])
    await fill_everything(page, fail=0)
    await submit(page)
    await ctx.route("**/api/inspections/**", lambda route: route.abort("internetdisconnected"))  # not sent yet
    await go_online(ctx)  # (after the route: coming online drains at once)
    await expect(page.locator(".queued-visits")).to_contain_text(SITE)  # submitted, waiting: not a draft any more
    await expect(page.get_by_text("暂无未提交的督查")).to_be_visible()

    await log_out(page, warning="项未同步：退出后须用同一账号重新登录")
    await log_in(page, "admin")
    await ctx.unroute("**/api/inspections/**")  # (kept until now: a retry in flight at the log-out is the inspector's own)
    await sync_now(page)
    await page.goto("/#/sync")
    await expect(page.locator(".item-error").first).to_contain_text("另一个账号")
    assert (await _server_state(world.sites["a1"]))["visits"] == []

    await log_out(page)
    await log_in(page, "inspector")
    await sync_now(page)
    await all_synced(page, timeout=30000)
    visits = (await _server_state(world.sites["a1"]))["visits"]
    assert [str(v["uuid"]) for v in visits] == [uuid] and visits[0]["inspector"] == world.users["inspector"]


async def test_a_phone_that_cannot_sync_exports_its_data_and_the_server_imports_it(world, phone, tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    ctx = await phone()
    page = await ctx.new_page()
    await log_in(page, "inspector")
    await go_offline(ctx)
    uuid = await start_visit(page, SITE, TEMPLATES[:1])
    await fill_everything(page, fail=1)
    await submit(page)
    await page.goto("/#/sync")
    async with page.expect_download() as download:
        await page.get_by_role("button", name="导出未同步数据（备份文件）").click()
    exported = tmp_path / "unsynced.json"
    await (await download.value).save_as(exported)
    assert (await _server_state(world.sites["a1"]))["visits"] == []

    def run():
        return subprocess.run([sys.executable, "-m", "server.cli", "import-unsynced", str(exported)], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)

    first = run()
    assert first.returncode == 0, first.stdout + first.stderr
    state = await _server_state(world.sites["a1"])
    assert [str(v["uuid"]) for v in state["visits"]] == [uuid] and len(state["issues"]) == 1
    assert len(state["photos"]) >= 1 and all(p["size_bytes"] <= 500_000 for p in state["photos"])
    again = run()  # importing twice changes nothing
    assert again.returncode == 0
    state2 = await _server_state(world.sites["a1"])
    assert len(state2["visits"]) == 1 and len(state2["photos"]) == len(state["photos"]) and len(state2["issues"]) == 1


async def test_while_online_the_phone_retries_by_itself_and_says_when_the_server_is_unreachable(world, phone):
    ctx = await phone()
    page = await ctx.new_page()
    await log_in(page, "inspector")
    uuid = await start_visit(page, SITE, TEMPLATES[:1])
    await fill_everything(page, fail=0)
    assert "null" not in await page.locator("body").inner_text()  # arrival card, bottom bar
    failing = {"error": "internal", "message": "服务器内部错误，请稍后重试", "detail": None}
    await ctx.route("**/api/inspections/**", lambda route: route.fulfill(status=503, content_type="application/json", body=json.dumps(failing)))
    await submit(page)
    await page.goto("/#/sync")
    error = page.locator(".item-error")
    await expect(error).to_contain_text("服务器内部错误，请稍后重试 (503)", timeout=20000)  # the sync screen follows the drain
    assert "(503) (503)" not in await error.inner_text()
    # the server goes away altogether while the phone's network is fine
    await ctx.unroute("**/api/inspections/**")
    await ctx.route("**/api/inspections/**", lambda route: route.abort("connectionrefused"))
    await page.clock.run_for(15_000)  # the first pauses: 5 s, then 10 s
    await expect(error).to_contain_text("服务器暂时无法连接，稍后自动重试", timeout=20000)
    # it comes back: nobody taps anything, the next retry takes the visit
    await ctx.unroute("**/api/inspections/**")
    await page.clock.run_for(60_000)
    await all_synced(page, timeout=20000)
    state = await _server_state(world.sites["a1"])
    assert [str(v["uuid"]) for v in state["visits"]] == [uuid]


async def test_the_visit_record_goes_before_its_photos_on_a_bad_link(world, phone):
    ctx = await phone()
    page = await ctx.new_page()
    await log_in(page, "inspector")
    await ctx.route("**/api/photo-uploads/**", lambda route: route.abort("timedout"))  # the photos cannot get through
    uuid = await start_visit(page, SITE, TEMPLATES[:1])
    filled = await fill_everything(page, fail=1)
    assert filled["photos"] >= 1
    await submit(page)
    await sync_now(page)
    for _ in range(100):
        state = await _server_state(world.sites["a1"])
        if state["visits"]:
            break
        await page.wait_for_timeout(200)
    assert [str(v["uuid"]) for v in state["visits"]] == [uuid] and len(state["issues"]) == 1  # the record arrived
    assert state["photos"] == []  # its photos still wait on the phone, declared by their SHA-256
    await expect(page.locator("#pending-count")).to_contain_text("待同步")
    await ctx.unroute("**/api/photo-uploads/**")
    await sync_now(page)
    await all_synced(page, timeout=30000)
    assert len((await _server_state(world.sites["a1"]))["photos"]) == filled["photos"]


async def test_location_denied_the_inspector_records_the_arrival_by_hand_with_a_reason(world, phone):
    ctx = await phone()
    await ctx.clear_permissions()  # the inspector said no to location
    page = await ctx.new_page()
    await log_in(page, "inspector")
    uuid = await open_visit(page, SITE, [TEMPLATES[0]])
    await page.get_by_role("button", name="到达现场（记录时间和位置）").click()
    await expect(page.locator(".arrival .warn")).to_contain_text("未获准使用定位")
    await page.get_by_role("button", name="手动登记到达现场").click()
    await expect(page.locator("#toast")).to_contain_text("请填写未定位的原因")
    await page.get_by_label("无法定位时：手动登记到达").fill("拒绝了定位权限")
    await page.get_by_role("button", name="手动登记到达现场").click()
    await expect(page.locator(".arrived")).to_contain_text("手动登记到达（未定位：拒绝了定位权限）")
    await fill_everything(page, fail=0)
    await submit(page)
    await all_synced(page, timeout=30000)
    visit = (await _server_state(world.sites["a1"]))["visits"][0]
    assert str(visit["uuid"]) == uuid and visit["arrival_source"] == "manual" and visit["arrival_reason"] == "拒绝了定位权限"
    assert visit["arrival_lat"] is None and visit["arrival_distance_m"] is None


async def test_two_tabs_upload_each_photo_once(world, phone):
    from collections import Counter

    ctx = await phone()
    page = await ctx.new_page()
    await log_in(page, "inspector")
    await ctx.route("**/api/photo-uploads/**", lambda route: route.abort("internetdisconnected"))  # queued for now
    uuid = await start_visit(page, SITE, TEMPLATES[:1])
    filled = await fill_everything(page, fail=1)
    await submit(page)
    other = await ctx.new_page()
    await other.goto("/")
    await expect(other.locator("#nav")).to_be_visible()
    # each piece put on the wire, by photo and offset (Chromium does not always hand a request's
    # body to the test, so pieces are known by their offset; the server checks the bytes themselves)
    sent: Counter = Counter()

    def count(r):
        if r.method == "PATCH" and "/api/photo-uploads/" in r.url:
            path, _, query = r.url.partition("?")
            offset = next((v for k, _, v in (p.partition("=") for p in query.split("&")) if k == "offset"), "")
            sent[(path.rsplit("/", 1)[1], offset)] += 1

    ctx.on("request", count)
    await ctx.unroute("**/api/photo-uploads/**")
    await page.evaluate("() => document.querySelector('#sync-now').click()")
    await other.evaluate("() => document.querySelector('#sync-now').click()")
    await all_synced(page, timeout=30000)
    await all_synced(other, timeout=30000)
    photos = (await _server_state(world.sites["a1"]))["photos"]
    assert len(photos) == filled["photos"]
    # every piece once, not once per tab, and each photo whole: the server stored it only once its
    # bytes matched the SHA-256 the phone declared, so no piece is missing. (Which pieces the test
    # sees depends on Chromium reporting each request: one seen twice fails, one not seen cannot
    # stand for a missing piece, so "offset 0 was seen" is not asserted: it failed twice in full local runs.)
    assert sent and max(sent.values()) == 1, sent
    assert {uuid for uuid, _ in sent} <= {str(p["uuid"]) for p in photos}
    assert all(p["sha256"] and p["size_bytes"] > 0 for p in photos), photos
    assert uuid
