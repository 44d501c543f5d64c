"""审计日志 at a desk, 1366x768: the chain's status, and the events filtered to one action."""

from __future__ import annotations

from playwright.async_api import expect

from server.audit.tables import AuditEvent
from server.lib import db
from tests.pwa.driver import DESK, open_desk


async def test_the_city_admin_reads_the_log_and_sees_a_broken_chain(world, phone):
    admin = await world.client("admin")
    for n in range(2):
        assert (await admin.patch(f"/api/sites/{world.sites['a1']}", json={"households": 300 + n})).status_code == 200
    page = await (await phone(**DESK)).new_page()
    await open_desk(page, "admin", "审计日志")
    await expect(page.locator(".chain .verdict.same")).to_contain_text("完整")
    await page.locator(".desk-filters").get_by_label("动作").select_option("site.update")
    rows = page.locator("tr[data-seq]")
    await expect(rows).to_have_count(2)
    await expect(rows.first).to_contain_text("修改安置点")
    await expect(rows.first).to_contain_text("admin")

    first = (await AuditEvent.select(AuditEvent.seq).where(AuditEvent.action == "site.update").order_by(AuditEvent.seq).first())["seq"]
    await db.execute(f"UPDATE audit_event SET actor = 'mallory' WHERE seq = {int(first)}")
    await page.reload()
    await expect(page.locator(".chain .verdict.altered")).to_contain_text(f"事件 {first} 的内容已被修改")
