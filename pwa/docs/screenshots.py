"""The main screens at 360x740 (the desk screens at 1366x768) in Chromium, on the demo data:
``make screenshots`` writes the PNGs here."""

from __future__ import annotations

import asyncio
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import demo_server  # noqa: E402

FIXTURES = ROOT.parent / "shared" / "fixtures" / "photos"
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 1, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN", "timezone_id": "Asia/Shanghai", "geolocation": {"latitude": 35.0285, "longitude": 110.9800},
         "permissions": ["geolocation"]}


DESK = {"viewport": {"width": 1366, "height": 768}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai", "accept_downloads": True}


async def shot(page, name):
    await page.wait_for_timeout(400)
    await page.screenshot(path=str(HERE / f"{name}.png"))
    print(f"pwa/docs/{name}.png")


async def log_in(page, url, user):
    await page.goto(url)
    await page.get_by_placeholder("用户名").fill(user)
    await page.get_by_placeholder("密码").fill("ducha-demo-2026")
    return page


async def main() -> None:
    from openpyxl import load_workbook
    from playwright.async_api import async_playwright

    with demo_server() as url:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            ctx = await browser.new_context(**PHONE)
            page = await log_in(await ctx.new_page(), url, "inspector")
            await shot(page, "1-login")
            await page.get_by_role("button", name="登录").click()
            await page.get_by_role("link", name="开始督查").wait_for()
            await shot(page, "2-home")
            await page.get_by_role("link", name="开始督查").click()
            await page.get_by_placeholder("搜索安置点").fill("盐湖")
            await shot(page, "3-choose-site")
            await page.locator("a.row").first.click()
            await page.locator("label.check-row", has_text="消防措施").locator("input").check()
            await page.get_by_role("button", name="开始检查").click()
            await page.wait_for_url("**/#/visit/*")
            await page.get_by_role("button", name="到达现场（记录时间和位置）").click()
            await page.locator(".arrived").wait_for()
            items = page.locator(".item[data-type=check]:not(.na)")
            await items.nth(0).get_by_role("radio", name="符合", exact=True).click()
            await items.nth(1).get_by_role("radio", name="不符合").click()
            await items.nth(1).locator("input[type=file]").set_input_files(str(FIXTURES / "phone" / "jolla.jpg"))
            await items.nth(1).locator("figure.thumb").wait_for()
            await page.evaluate("window.scrollTo(0, 0)")
            await shot(page, "4-visit-top")
            await items.nth(1).scroll_into_view_if_needed()
            await page.evaluate("window.scrollBy(0, 120)")
            await shot(page, "5-visit-failed-item")
            await page.get_by_role("button", name="提交").click()
            await page.get_by_role("dialog").wait_for()
            await shot(page, "11-visit-review")
            await page.get_by_role("dialog").get_by_role("button", name="返回修改").last.click()
            await ctx.set_offline(True)
            await page.goto(f"{url}/#/sync")
            await page.locator(".outbox-item").first.wait_for()
            await shot(page, "6-sync-offline")
            await ctx.set_offline(False)
            await page.goto(f"{url}/#/issues")
            await page.locator("a.row").first.wait_for()
            await shot(page, "7-issues-inspector")
            await ctx.close()

            ctx = await browser.new_context(**PHONE)
            page = await log_in(await ctx.new_page(), url, "admin")
            await page.get_by_role("button", name="登录").click()
            await page.locator("#nav").get_by_role("link", name="总览").click()
            await page.locator("table.rank").wait_for()
            await shot(page, "9-dashboard")
            await page.locator("table.rank").scroll_into_view_if_needed()
            await shot(page, "10-ranking")
            await ctx.close()

            ctx = await browser.new_context(**DESK)
            page = await log_in(await ctx.new_page(), url, "admin")
            await page.get_by_role("button", name="登录").click()
            await page.locator("#nav").get_by_role("link", name="办公").click()
            rows = page.locator("tr[data-issue]")
            await rows.first.wait_for()
            boxes = page.locator("tr[data-issue] input[type=checkbox]:not([disabled])")  # closed issues are not offered
            for n in range(3):
                await boxes.nth(n).check()
            await page.evaluate("window.scrollTo(0, 0)")
            await shot(page, "14-desk-issues")
            await page.locator(".desk-filters").get_by_label("状态").select_option(label="待核查")
            await page.locator(".pager", has_text="共").wait_for()
            if await rows.count() == 0:  # no issue waits for verification in the demo: show one with its history anyway
                await page.get_by_role("button", name="清除条件").click()
                await rows.first.wait_for()
            await rows.first.locator("td a").click()
            await page.locator(".side-by-side").wait_for()
            await page.wait_for_load_state("networkidle")
            await shot(page, "15-desk-issue")
            await page.locator(".desk-tabs").get_by_role("link", name="报送与核对").click()
            await page.locator(".submissions-desk, .desk-table p").first.wait_for()
            await shot(page, "16-desk-submissions")
            await page.locator(".desk-tabs").get_by_role("link", name="安置点").click()
            await page.locator("tr[data-site]").first.wait_for()
            await shot(page, "12-desk-sites")
            async with page.expect_download() as got:
                await page.get_by_role("link", name="导出 Excel").click()
            sheet = load_workbook(io.BytesIO(Path(await (await got.value).path()).read_bytes())).active  # (saved without a suffix)
            headers = [c.value for c in sheet[1]]
            row = {"县区": "临猗县", "安置点名称": "猗氏新村安置点", "纬度": 35.15, "经度": 110.78, "有电梯": "也许"}
            sheet.append([row.get(h) for h in headers])
            bad = HERE / "sheet-with-a-bad-row.xlsx"
            sheet.parent.save(bad)
            await page.get_by_label("选择安置点清单（Excel）").set_input_files(str(bad))
            await page.locator(".sheet-result tr.bad").first.wait_for()
            bad.unlink()
            await shot(page, "13-desk-import-refused")
            await page.locator(".desk-tabs").get_by_role("link", name="督查计划").click()
            await page.locator("table.candidates tbody tr").first.wait_for()
            await shot(page, "17-desk-plans")
            await page.get_by_label("抽取安置点数").fill("12")
            await page.get_by_role("button", name="抽取").click()
            await page.locator(".calendar .visit").first.wait_for()
            await shot(page, "18-desk-plan-calendar")
            await page.evaluate("document.getElementById('toast').className = 'toast'")  # the draw's toast
            await page.locator(".desk-tabs").get_by_role("link", name="年度考核").click()
            await page.locator("table.ranking tbody tr").first.wait_for()
            await shot(page, "19-desk-ranking")
            await page.locator("table.ranking tbody tr").first.locator("a").click()
            await page.locator(".indicators").wait_for()
            await shot(page, "20-desk-county-figures")
            await page.locator(".desk-tabs").get_by_role("link", name="审计日志").click()
            await page.locator(".chain .verdict").wait_for()
            await page.locator("tr[data-seq]").first.wait_for()
            await shot(page, "21-desk-audit")
            await page.locator(".desk-tabs").get_by_role("link", name="用户与部门").click()
            await page.locator("tr[data-user]").first.wait_for()
            await shot(page, "22-desk-users")
            await page.locator(".desk-tabs").get_by_role("link", name="检查表").click()
            await page.locator('.template-entry[data-template="fire-safety"]').get_by_role("button", name="第 3 版（现行）").click()
            await page.locator(".diff-added").wait_for()
            await page.locator(".preview-item").first.wait_for()
            await shot(page, "23-desk-templates")
            editor = page.locator(".template-editor")
            await editor.get_by_role("button", name="用表单修订，生成第 4 版").click()
            await editor.get_by_label("检查内容：extinguishers_present").fill("每层楼道配备灭火器不少于2具，压力正常、在有效期内")
            await editor.get_by_label("严重程度：extinguishers_present").select_option(label="严重")
            await editor.get_by_role("button", name="生成第 4 版并检查").click()
            await editor.locator(".draft-result .verdict").wait_for()
            await editor.get_by_label("检查内容：extinguishers_present").scroll_into_view_if_needed()
            await shot(page, "25-desk-template-form")
            await editor.get_by_role("button", name="直接编辑 YAML（高级），新建第 4 版").click()
            yaml = editor.get_by_label("新版本内容（YAML）")
            await page.wait_for_function("document.querySelector('textarea.yaml').value.length > 0")
            await yaml.fill((await yaml.input_value()).replace("version: 4", "version: 9", 1))
            await editor.get_by_role("button", name="检查", exact=True).click()
            await editor.locator(".draft-result li").first.wait_for()
            await editor.locator(".draft-result").scroll_into_view_if_needed()
            await page.mouse.wheel(0, 300)
            await shot(page, "24-desk-template-check")
            await ctx.close()

            ctx = await browser.new_context(**PHONE)
            page = await log_in(await ctx.new_page(), url, "site")
            await page.get_by_role("button", name="登录").click()
            await page.locator("#nav").get_by_role("link", name="问题").click()
            rows = page.locator("section.card", has_text="待整改").locator("a.row")
            await rows.first.wait_for()
            await rows.first.click()
            await page.get_by_role("heading", name="提交整改").wait_for()
            await page.get_by_placeholder("整改措施").fill("已清理楼道杂物，张贴禁止堆放提示。")
            await shot(page, "8-rectify-site")
            await ctx.close()
            await browser.close()


if __name__ == "__main__":
    asyncio.run(main())
