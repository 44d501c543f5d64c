"""What a person does in the phone app, as Playwright steps (shared by the browser tests)."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta

from playwright.async_api import BrowserContext, Page, expect

from server.lib.clock import SHANGHAI
from tests.photos.fixtures import FIXTURES
from tests.world import PASSWORD

#: fixture photos used as camera shots: a 12 MP iPhone photo with GPS, a 12 MP photo without,
#: a small GPS-tagged one, and one whose EXIF says "rotate 90°"
SHOTS = [FIXTURES / "phone" / "iphone_hdr_NO.jpg", FIXTURES / "phone" / "jolla.jpg",
         FIXTURES / "gps" / "DSCN0012.jpg", FIXTURES / "orientation" / "portrait_6.jpg"]


async def log_in(page: Page, username: str) -> None:
    await page.goto("/")
    await page.get_by_placeholder("用户名").fill(username)
    await page.get_by_placeholder("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await expect(page.locator("#nav")).to_be_visible()


#: a desk (the office's wide screen) rather than a phone: pass to ``phone(**DESK)``
DESK = {"viewport": {"width": 1366, "height": 768}, "is_mobile": False, "has_touch": False, "device_scale_factor": 1}


async def open_desk(page: Page, username: str, tab: str) -> None:
    """Log in, wait for the home screen, then 办公 in the nav and the desk's tab ``tab`` (问题台账, 安置点…)."""
    await log_in(page, username)
    await expect(page.locator(".home")).to_be_visible()
    await page.locator("#nav").get_by_role("link", name="办公").click()
    await page.locator(".desk-tabs").get_by_role("link", name=tab).click()
    await expect(page.locator(".desk-tabs a.on")).to_have_text(tab)


async def log_out(page: Page, warning: str | None = None) -> None:
    """退出 and its confirming second tap, back to the login form; ``warning``: what the toast must
    say before the confirmation (e.g. that unsynced items stay behind)."""
    await page.locator("#nav").get_by_role("button", name="退出", exact=True).click()
    if warning:
        await expect(page.locator("#toast")).to_contain_text(warning)
    await page.locator("#nav").get_by_role("button", name="再点一次确认").click()
    await expect(page.get_by_placeholder("用户名")).to_be_visible()


async def wait_for_service_worker(page: Page) -> None:
    await page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=15000)


async def go_offline(ctx: BrowserContext) -> None:
    """No network at all: the browser's offline switch and every request refused, the service
    worker's own fetches included (setOffline alone has not always blocked those)."""
    await ctx.set_offline(True)
    await ctx.route("**/*", lambda route: route.abort("internetdisconnected"))


async def go_online(ctx: BrowserContext) -> None:
    await ctx.unroute("**/*")
    await ctx.set_offline(False)


async def open_visit(page: Page, site_name: str, templates: list[str]) -> str:
    """开始督查 at a site with these templates, not arrived yet; the visit's UUID."""
    await page.get_by_role("link", name="开始督查").click()
    await page.get_by_placeholder("搜索安置点").fill(site_name[:4])
    await page.get_by_role("link", name=site_name).click()
    for title in templates:
        await page.locator("label.check-row", has_text=title).locator("input").check()
    await page.get_by_role("button", name="开始检查").click()
    await page.wait_for_url("**/#/visit/*")
    return page.url.rsplit("/", 1)[1]


async def start_visit(page: Page, site_name: str, templates: list[str]) -> str:
    """A visit opened and 到达现场 recorded from the browser's position."""
    uuid = await open_visit(page, site_name, templates)
    await page.get_by_role("button", name="到达现场（记录时间和位置）").click()
    await expect(page.locator(".arrived")).to_be_visible()
    return uuid


async def _passing_number(item, box) -> None:
    """A number within the item's range that its rule does not fail (5 first, as before)."""
    low = float(await box.get_attribute("min") or 0)
    high = await box.get_attribute("max")
    top = float(high) if high else 10_000
    integer = await item.get_attribute("data-type") == "integer"
    for value in (5, 0, 1, 1.2, 100, 1000, top):
        if not low <= value <= top or (integer and value != int(value)):
            continue
        await box.fill(str(int(value)) if value == int(value) else str(value))
        if not await item.evaluate("el => el.classList.contains('failed')"):
            return


async def fill_everything(page: Page, fail: int = 2) -> dict:
    """Answer every applicable item: the first ``fail`` check items 不符合 with a photo, every other
    check 符合, numbers within range, the first option, some text; a photo on every failed item and
    on the first checks until each fixture shot was taken once.
    Answers can change which items apply, so go round until nothing is left unanswered."""
    shots = iter(SHOTS * 10)
    failed = photos = 0
    for _ in range(5):
        changed = False
        items = page.locator(".item:not(.na)")
        i = -1
        while (i := i + 1) < await items.count():  # an answer may hide the items after it
            item = items.nth(i)
            kind = await item.get_attribute("data-type")
            if kind == "check" and not await item.locator(".choices.check .choice.on").count():
                if failed < fail and await item.get_attribute("data-raises") == "1":
                    await item.get_by_role("radio", name="不符合").click()
                    failed += 1
                else:
                    await item.get_by_role("radio", name="符合", exact=True).click()
                changed = True
            elif kind in ("number", "integer"):
                box = item.locator("input[type=number]")
                if not await box.input_value():
                    await _passing_number(item, box)
                    changed = True
            elif kind == "date":
                box = item.locator("input[type=date]")
                if not await box.input_value():  # a month before now in Shanghai: within every 12-month rule
                    await box.fill((datetime.fromtimestamp(time.time(), SHANGHAI) - timedelta(days=30)).date().isoformat())
                    changed = True
            elif kind == "text":
                box = item.locator(":scope > textarea")
                if not await box.input_value():
                    await box.fill("现场查看，情况已记录。")
                    changed = True
            elif kind in ("single", "multi") and not await item.locator(".choices.options .choice.on").count():
                if await item.get_attribute("data-all") == "1":  # a fixed list: every one is there
                    choices = item.locator(".choices.options .choice")
                    for n in range(await choices.count()):
                        await choices.nth(n).click()
                else:
                    await item.locator(".choices.options .choice").first.click()
                changed = True
            before = await item.locator("figure.thumb").count()
            if kind == "photo" and before == 0:  # a photo item: the photo is the answer
                await item.locator("input[type=file]").set_input_files(str(next(shots)))
                await expect(item.locator("figure.thumb")).to_have_count(1, timeout=20000)
                photos += 1
                changed = True
                continue
            failing = await item.evaluate("el => el.classList.contains('failed')")
            if (failing and before == 0) or (photos < len(SHOTS) and kind == "check" and before == 0):
                await item.locator("input[type=file]").set_input_files(str(next(shots)))
                await expect(item.locator("figure.thumb")).to_have_count(before + 1, timeout=20000)
                photos += 1
                changed = True
        if not changed:
            break
    return {"failed": failed, "photos": photos}


async def submit(page: Page) -> None:
    """提交, then 确认提交 on the review sheet."""
    await page.get_by_role("button", name="提交").click()
    await page.get_by_role("dialog").get_by_role("button", name="确认提交").click()
    await page.wait_for_url("**/#/")


async def sync_now(page: Page) -> None:
    await page.locator("#sync-now").click()


OUTBOX_COUNT = """() => new Promise((done) => {
    const req = indexedDB.open("ducha");
    req.onsuccess = () => {
      const db = req.result;
      const count = db.transaction("outbox").objectStore("outbox").count();
      count.onsuccess = () => { db.close(); done(count.result); };
      count.onerror = () => { db.close(); done(-1); };
    };
    req.onerror = () => done(-1);
  })"""


async def all_synced(page: Page, timeout: int = 30000) -> None:
    """Wait until the phone's outbox (IndexedDB) is empty and the bar says so: the stored queue, not
    a bar painted before the last item was queued. (``page.evaluate`` awaits the promise;
    ``wait_for_function`` would take the promise itself as a truthy answer.)"""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout / 1000
    while (left := await page.evaluate(OUTBOX_COUNT)) != 0:
        if loop.time() > deadline:
            raise AssertionError(f"the outbox still holds {left} items after {timeout / 1000:.0f} s")
        await asyncio.sleep(0.2)
    await expect(page.locator("#pending-count")).to_have_text("已全部同步", timeout=timeout)


async def pending_text(page: Page) -> str:
    return await page.locator("#pending-count").inner_text()
