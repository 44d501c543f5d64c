"""Photos from the phone over a bad uplink: a 20-photo visit sent over 16 KB/s, the connection cut
every 30 s (tests/pwa/uplink.py, a loopback proxy), through the app's own outbox in Chromium.

Figures, each beside what it is compared with in the same run:
- time from 提交 to 已全部同步, against the payload's time at the link's rate (the best possible);
- bytes on the wire from the phone (headers, retries and what cuts threw away included), against
  the payload (the photos' and the record's bytes) and the 1.2x target.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import demo_server, scaled
from bench.pwa_shell import FIXTURES, PHONE, PHOTOS, log_in

RATE = scaled(16 * 1024, 256 * 1024)
CUT_EVERY = scaled(30, 2)
COUNT = scaled(20, 2)
STORED = """() => new Promise((done) => {
    const req = indexedDB.open("ducha");
    req.onsuccess = () => {
      const tx = req.result.transaction(["photos", "outbox"]);
      const photos = tx.objectStore("photos").getAll(), outbox = tx.objectStore("outbox").getAll();
      tx.oncomplete = () => done({ photos: photos.result.filter((p) => p.bytes).map((p) => p.bytes.byteLength),
                                   outbox: outbox.result.length,
                                   record: outbox.result.filter((o) => o.kind === "inspection").map((o) => JSON.stringify(o.body).length) });
    };
  })"""


async def visit_with_photos(page) -> None:
    from tests.pwa.driver import fill_everything

    await page.get_by_role("link", name="开始督查").click()
    await page.locator("a.row").first.click()
    await page.locator("label.check-row input").first.check()
    await page.get_by_role("button", name="开始检查").click()
    await page.wait_for_url("**/#/visit/*")
    await page.context.set_offline(True)  # the whole visit in the valley: everything waits on the phone
    await page.get_by_role("button", name="到达现场（记录时间和位置）").click()
    await page.locator(".arrived").wait_for()
    await fill_everything(page, fail=0)
    checks = page.locator(".item[data-type=check]:not(.na)")
    taken = await page.locator("figure.thumb").count()
    i = 0
    while taken < COUNT:
        item = checks.nth(i % await checks.count())
        before = await item.locator("figure.thumb").count()
        await item.locator("input[type=file]").set_input_files(str(FIXTURES / PHOTOS[taken % len(PHOTOS)]))
        await item.locator("figure.thumb").nth(before).wait_for(timeout=30000)
        taken += 1
        i += 1


async def main() -> None:
    from playwright.async_api import async_playwright

    from tests.pwa.uplink import Uplink

    with demo_server() as url:
        port = int(url.rsplit(":", 1)[1])
        async with Uplink(port) as link, async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            ctx = await browser.new_context(**PHONE, base_url=link.url)
            page = await ctx.new_page()
            await log_in(page, link.url)
            await visit_with_photos(page)
            stored = await page.evaluate(STORED)
            link.set(rate=RATE, cut_every=CUT_EVERY)
            await ctx.set_offline(False)
            up_before = link.bytes_up
            started = time.monotonic()
            await page.get_by_role("button", name="提交").click()
            await page.get_by_role("dialog").get_by_role("button", name="确认提交").click()
            await page.wait_for_url("**/#/")
            await page.evaluate("window.dispatchEvent(new Event('online'))")
            record = (await page.evaluate(STORED))["record"]
            payload = sum(stored["photos"]) + sum(record)
            while (await page.evaluate(STORED))["outbox"]:  # evaluate awaits the promise
                await asyncio.sleep(1)
            took = time.monotonic() - started
            wire = link.bytes_up - up_before
            ideal = payload / RATE
            print(f"{len(stored['photos'])} photos + the visit record, {payload / 1024:.0f} KB, over {RATE // 1024} KB/s cut every "
                  f"{CUT_EVERY} s ({link.cuts} connections cut):")
            print(f"  time to 已全部同步: {took:.0f} s | baseline: the payload at the link's rate {ideal:.0f} s ({took / ideal:.2f}x)")
            print(f"  bytes on the wire from the phone: {wire / 1024:.0f} KB | baseline: payload {payload / 1024:.0f} KB "
                  f"({wire / payload:.2f}x) | target <= 1.2x: {'met' if wire <= 1.2 * payload else 'MISSED'}")
            await browser.close()


if __name__ == "__main__":
    asyncio.run(main())
