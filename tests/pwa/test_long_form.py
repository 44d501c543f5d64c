"""A long form that guides: 已答 X/Y, a section index that jumps, the next unanswered item, 本节全部符合
(each item still changeable), and a review before submit whose missing answers are links and whose
issues read as the server will write them."""

from __future__ import annotations

import re

from playwright.async_api import expect

from server.issues.tables import Issue
from tests.pwa.driver import all_synced, fill_everything, log_in, start_visit

SITE = "盐湖测试安置点一"
TEMPLATES = ["社区治理与社会融入督查表", "产业就业督查表"]
NOTE = "2号楼东侧公示栏空白"


async def _progress(page) -> tuple[int, int]:
    text = await page.locator(".guide-text").inner_text()
    done, total = re.search(r"已答 (\d+)/(\d+)", text).groups()
    return int(done), int(total)


async def _in_view(page, locator) -> bool:
    return await locator.evaluate("el => { const r = el.getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0; }")


async def test_a_long_form_shows_progress_jumps_and_fills_a_section_in_one_tap(world, phone):
    page = await (await phone()).new_page()
    await log_in(page, "inspector")
    await start_visit(page, SITE, TEMPLATES)
    done, total = await _progress(page)
    assert done == 0 and total >= 30

    first = page.locator("section.section").first
    checks = first.locator(".item[data-type=check]:not(.na)")
    count = await checks.count()
    await first.get_by_role("button", name="本节全部符合").click()
    await expect(page.locator("#toast")).to_contain_text(f"本节 {count} 项未答的检查项已设为符合")
    assert (await _progress(page))[0] == count
    await expect(checks.locator(".choice.pass.on")).to_have_count(count)
    await checks.first.get_by_role("radio", name="不符合").click()  # still each item's own answer
    await expect(checks.first.get_by_role("radio", name="不符合")).to_have_attribute("aria-checked", "true")
    assert (await _progress(page))[0] == count

    # the index lists every section with something to answer here, under its template's title, with
    # its count, and jumps to the one tapped: its heading just below the sticky bars
    await page.get_by_role("button", name="目录").click()
    entries = page.locator(".toc-entry")
    asked = page.locator("section.section").filter(has=page.locator(".item:not(.na)"))
    assert await entries.count() == await asked.count() < await page.locator("section.section").count()
    await expect(page.locator(".toc-group")).to_have_text(TEMPLATES)
    await expect(entries.first).to_contain_text(f"{count}/")
    last = asked.last
    await entries.last.click()
    await expect(page.locator(".toc")).to_be_hidden()
    # the heading comes to rest just below the guide: not under the bar, not mid-screen
    await page.wait_for_function("""() => {
      const head = [...document.querySelectorAll("section.section h3")].find((h) => h.textContent === %s);
      const below = document.querySelector(".guide").getBoundingClientRect().bottom;
      const top = head.getBoundingClientRect().top;
      return below <= top && top <= below + 60;
    }""" % repr(await last.locator("h3").inner_text()))
    assert await _in_view(page, last)

    # 下一个待办: the first required item still without an answer (here the team size, a number), in
    # view and focused; once answered, the next one
    todo = page.get_by_role("button", name="下一个待办")
    focused = page.locator(".item:not(.na)").filter(has=page.locator(":focus"))
    await todo.click()
    await expect(focused).to_have_count(1)
    assert await _in_view(page, focused)
    assert await focused.locator(".req").count() == 1
    key = await focused.get_attribute("data-key")
    number = focused.locator("input[type=number]")
    assert await number.input_value() == ""
    await number.fill("3")
    await todo.click()
    await expect(focused).not_to_have_attribute("data-key", key)
    assert await _in_view(page, focused)
    assert await focused.locator(".choices.check .choice.on").count() == 0
    assert (await _progress(page))[0] == count + 1

    # reloading keeps it all (every tap is saved at once)
    await page.reload()
    assert (await _progress(page))[0] == count + 1


async def test_the_review_links_to_what_is_missing_and_shows_the_issue_as_the_server_writes_it(world, phone):
    page = await (await phone()).new_page()
    await log_in(page, "inspector")
    await start_visit(page, SITE, TEMPLATES[:1])
    await page.get_by_role("button", name="提交").click()
    sheet = page.get_by_role("dialog")
    await expect(sheet.get_by_role("heading", name="提交前核对")).to_be_visible()
    await expect(sheet.get_by_role("button", name="确认提交")).to_be_disabled()
    missing = sheet.locator(".review-missing li button")
    assert await missing.count() >= 10
    wanted = (await missing.nth(3).inner_text()).split("」")[0].lstrip("「")
    await missing.nth(3).click()
    await expect(sheet).to_be_hidden()
    item = page.locator(".item", has=page.locator(".item-text", has_text=wanted)).first
    assert await _in_view(page, item)

    await fill_everything(page, fail=1)
    failed = page.locator(".item.failed").first
    await failed.locator(".finding textarea").fill(NOTE)
    await expect(failed.locator(".finding-preview")).to_contain_text(f"。现场：{NOTE}")  # live, as typed
    preview = await failed.locator(".finding-preview").inner_text()
    await page.get_by_role("button", name="提交").click()
    await expect(sheet.locator(".review-missing")).to_have_count(0)
    issue = sheet.locator(".review-issue")
    await expect(issue).to_have_count(1)
    shown = await issue.locator("p").inner_text()
    assert shown == preview and "严重程度" in await issue.inner_text()
    await sheet.get_by_role("button", name="确认提交").click()
    await page.wait_for_url("**/#/")
    await all_synced(page)
    raised = await Issue.select(Issue.description).where(Issue.note == NOTE).first()
    assert raised is not None and raised["description"] == shown  # the phone said what the ledger will say
