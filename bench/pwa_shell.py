"""The phone app in Chromium: app shell bytes, offline cold start, on-phone photo compression.

Figures, each beside what it is compared with in the same run:
- shell bytes (gzip) of every precached file, against the 150 KB target;
- cold start offline from the service worker's cache (navigation to first screen, median of 7),
  against the same start with no service worker over emulated 3G (a first visit), and 1 s;
- photo bytes before and after compression on the phone (the app's own capture path, read back
  from IndexedDB), against 500 KB for a 12 MP photo.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import demo_server, scaled

DIST = ROOT / "pwa" / "dist"
FIXTURES = ROOT.parent / "shared" / "fixtures" / "photos"
PHOTOS = scaled(["phone/iphone_hdr_NO.jpg", "phone/jolla.jpg", "gps/DSCN0010.jpg", "gps/45-gps_ifd.jpg", "orientation/portrait_6.jpg"],
                ["phone/jolla.jpg"])
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN", "geolocation": {"latitude": 35.03, "longitude": 111.0}, "permissions": ["geolocation"]}
# a function, not an expression: Playwright evaluates an expression string with eval, which the app's
# Content-Security-Policy (script-src 'self') refuses
READY = "() => performance.getEntriesByName('ducha-ready').length ? performance.getEntriesByName('ducha-ready')[0].startTime : null"


def shell_bytes() -> tuple[int, int]:
    files = json.loads((DIST / "version.json").read_text())["files"] + ["sw.js"]
    raw = sum((DIST / f).stat().st_size for f in files)
    packed = sum(len(gzip.compress((DIST / f).read_bytes(), 9)) if not f.endswith(".png") else (DIST / f).stat().st_size for f in files)
    return raw, packed


async def log_in(page, url):
    await page.goto(url)
    await page.get_by_placeholder("用户名").fill("inspector")
    await page.get_by_placeholder("密码").fill("ducha-demo-2026")
    await page.get_by_role("button", name="登录").click()
    await page.get_by_role("link", name="开始督查").wait_for()


#: offline cold starts measured (their median and worst)
RUNS = scaled(7, 1)


async def cold_starts(browser, url, runs=RUNS):
    ctx = await browser.new_context(**PHONE)
    page = await ctx.new_page()
    await log_in(page, url)
    await page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    await page.close()
    await ctx.set_offline(True)
    await ctx.route("**/*", lambda route: route.abort("internetdisconnected"))
    offline = []
    for _ in range(runs):
        page = await ctx.new_page()
        await page.goto(url)
        await page.wait_for_function(READY)
        offline.append(await page.evaluate(READY))
        await page.close()
    await ctx.close()

    first = []
    for _ in range(scaled(3, 1)):
        ctx = await browser.new_context(**PHONE, service_workers="block")
        page = await ctx.new_page()
        cdp = await ctx.new_cdp_session(page)
        await cdp.send("Network.enable")
        await cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 300, "downloadThroughput": 750_000 / 8,
                                                             "uploadThroughput": 250_000 / 8})
        await page.goto(url)
        await page.wait_for_function(READY, timeout=60000)
        first.append(await page.evaluate(READY))
        await ctx.close()
    return statistics.median(offline), max(offline), statistics.median(first)


async def compression(browser, url):
    ctx = await browser.new_context(**PHONE)
    page = await ctx.new_page()
    await log_in(page, url)
    await page.get_by_role("link", name="开始督查").click()
    await page.locator("a.row").first.click()
    await page.locator("label.check-row input").first.check()
    await page.get_by_role("button", name="开始检查").click()
    await page.wait_for_url("**/#/visit/*")
    results = []
    item = page.locator(".item:not(.na)").first
    for i, name in enumerate(PHOTOS):
        started = await page.evaluate("performance.now()")
        await item.locator("input[type=file]").set_input_files(str(FIXTURES / name))
        await item.locator("figure.thumb").nth(i).wait_for(timeout=30000)
        took = await page.evaluate("performance.now()") - started
        rec = await page.evaluate("""async () => {
            const r = indexedDB.open('ducha'); await new Promise(res => r.onsuccess = res);
            const g = r.result.transaction('photos').objectStore('photos').getAll(); await new Promise(res => g.onsuccess = res);
            const p = g.result.sort((a, b) => b.captured_at.localeCompare(a.captured_at))[0];
            return {size: p.size, original: p.original_bytes, width: p.width, height: p.height, exif: p.exif};
        }""")
        results.append((name, rec, took))
    await ctx.close()
    return results


async def main() -> None:
    from playwright.async_api import async_playwright

    raw, packed = shell_bytes()
    print(f"app shell: {raw / 1024:.1f} KB raw, {packed / 1024:.1f} KB gzip (text gzip -9, icons as PNG) | target <= 150 KB: "
          f"{'met' if packed <= 150 * 1024 else 'MISSED'}")
    with demo_server() as url:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            median, worst, first = await cold_starts(browser, url)
            print(f"cold start offline from the service worker: median {median:.0f} ms, worst {worst:.0f} ms "
                  f"| baseline: first visit, no service worker, emulated 3G (300 ms, 750 kbit/s): {first:.0f} ms "
                  f"| target <= 1000 ms: {'met' if worst <= 1000 else 'MISSED'}")
            print("photo compression on the phone (1600 px long edge, JPEG 80 %), the app's own capture path:")
            for name, rec, took in await compression(browser, url):
                mp = "12 MP " if rec["original"] > 700_000 else ""
                target = f" | target <= 500 KB: {'met' if rec['size'] <= 500_000 else 'MISSED'}" if mp else ""
                gps = "EXIF GPS read" if rec["exif"]["lat"] is not None else "no EXIF GPS"
                print(f"  {mp}{name:30} {rec['original'] / 1024:7.0f} KB -> {rec['size'] / 1024:5.0f} KB "
                      f"{rec['width']}x{rec['height']}, {took:5.0f} ms, {gps}{target}")
            await browser.close()


if __name__ == "__main__":
    asyncio.run(main())
