"""报送与核对 at a desk, 1366x768: the month's submissions with each file's period and scope, and a
received PDF checked against what the server made (the original, then a tampered copy)."""

from __future__ import annotations

from playwright.async_api import expect

from tests.ledgers.helpers import wait_done
from tests.pwa.driver import DESK, open_desk


async def test_the_city_office_sees_what_each_county_sent_and_catches_a_tampered_pdf(world, phone, tmp_path):
    county = await world.client("county_a")
    job = await wait_done(county, (await county.post("/api/ledgers", json={
        "kind": "work", "date_from": "2026-10-01", "date_to": "2026-10-31"})).json())
    assert job["state"] == "done", job
    sent = await county.post(f"/api/ledgers/{job['uuid']}/submission", json={"period": "2026-10"})
    assert sent.status_code == 200, sent.text
    original = tmp_path / "工作台账.pdf"
    original.write_bytes((await county.get(job["file_url"])).content)
    data = bytearray(original.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit inside the file, as an edit in a PDF editor would leave it
    tampered = tmp_path / "收到的工作台账.pdf"
    tampered.write_bytes(bytes(data))

    page = await (await phone(**DESK)).new_page()
    await open_desk(page, "admin", "报送与核对")
    await page.get_by_label("月份").fill("2026-10")
    yanhu = page.locator("tr[data-county]", has_text="盐湖区")
    work = yanhu.locator("td[data-kind=work]")
    await expect(work.locator(".sent-files li")).to_have_count(1)
    await expect(work).to_contain_text("范围：盐湖区全县")
    await expect(work.get_by_role("link")).to_have_text(job["file_name"])
    await expect(page.locator("tr[data-county]", has_text="临猗县").locator("td[data-kind=work]")).to_contain_text("未报")

    card = page.locator(".verify-ledger")
    await card.get_by_label("台账文件").set_input_files(str(original))
    await expect(card.locator(".verdict.same")).to_contain_text("一致：是本系统生成的原件")
    await card.get_by_label("台账文件").set_input_files(str(tampered))
    await expect(card.locator(".verdict")).not_to_have_class("verdict same")
    await expect(card.locator(".verdict.altered")).to_contain_text("可能被修改过")


async def test_a_county_team_checks_files_but_sees_no_other_county(world, phone):
    page = await (await phone(**DESK)).new_page()
    await open_desk(page, "county_a", "报送与核对")
    await expect(page.locator("tr[data-county]")).to_have_count(0)
    await expect(page.get_by_role("link", name="台账报送")).to_be_visible()
    await expect(page.locator(".verify-ledger")).to_be_visible()
