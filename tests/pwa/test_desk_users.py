"""用户与部门 at a desk, 1366x768: a county team account created with its county, its password
reset (it logs in with the new one), then disabled (it cannot log in); a department added, renamed
and disabled."""

from __future__ import annotations

import httpx
from playwright.async_api import expect

from server.accounts.tables import User
from server.sites.tables import Department
from tests.pwa.driver import DESK, open_desk

NEW_PASSWORD = "new-password-2026-12"


async def _logs_in(live_server, username, password) -> int:
    async with httpx.AsyncClient(base_url=live_server) as client:
        return (await client.post("/api/auth/login", json={"username": username, "password": password})).status_code


async def test_create_reset_and_disable_an_account_and_add_a_department(world, phone, live_server):
    page = await (await phone(**DESK)).new_page()
    await open_desk(page, "admin", "用户与部门")
    form = page.locator(".new-user")
    await form.get_by_label("用户名").fill("yanhu_team2")
    await form.get_by_label("姓名").fill("盐湖专班 赵敏")
    await form.get_by_label("初始密码（至少 12 位）").fill("first-password-1")
    await form.get_by_label("角色").select_option(label="县级专班")
    await expect(form.get_by_label("所属安置点")).to_be_hidden()
    await form.get_by_role("button", name="新建用户").click()
    await expect(form.locator(".bulk-message")).to_contain_text("县")  # a county team needs its county
    await form.get_by_label("所属县区").select_option(label="盐湖区")
    await form.get_by_role("button", name="新建用户").click()
    row = page.locator('tr[data-user="yanhu_team2"]')
    await expect(row).to_contain_text("县级专班")
    await expect(row).to_contain_text("盐湖区")
    assert await _logs_in(live_server, "yanhu_team2", "first-password-1") == 200

    await row.get_by_label("新密码：yanhu_team2").fill(NEW_PASSWORD)
    await row.get_by_role("button", name="重置密码").click()
    await expect(page.locator("#toast")).to_contain_text("已重置密码：yanhu_team2")
    assert await _logs_in(live_server, "yanhu_team2", "first-password-1") == 422  # 用户名或密码错误
    assert await _logs_in(live_server, "yanhu_team2", NEW_PASSWORD) == 200

    row = page.locator('tr[data-user="yanhu_team2"]')
    await row.get_by_role("button", name="停用").click()
    await row.get_by_role("button", name="再点一次确认").click()
    await expect(page.locator('tr[data-user="yanhu_team2"]')).to_contain_text("已停用")
    assert await _logs_in(live_server, "yanhu_team2", NEW_PASSWORD) == 422  # 用户名或密码错误
    assert (await User.select(User.active).where(User.username == "yanhu_team2").first())["active"] is False
    await expect(page.locator('tr[data-user="admin"]')).to_contain_text("（本人）")  # no way to lock oneself out

    departments = page.locator(".departments")
    await departments.get_by_label("部门代码", exact=True).fill("tiyu")
    await departments.get_by_label("部门名称", exact=True).fill("体育局")
    await departments.get_by_role("button", name="新增部门").click()
    await expect(page.locator('.departments tr[data-department="tiyu"]')).to_contain_text("启用")
    assert await Department.exists().where(Department.code == "tiyu")

    # renamed, then disabled (a second tap): kept, marked, and offered to no new issue
    row = page.locator('.departments tr[data-department="tiyu"]')
    await expect(row.get_by_label("部门名称：tiyu")).to_have_value("体育局")
    await row.get_by_label("部门名称：tiyu").fill("市文化和旅游体育局")
    await row.get_by_role("button", name="改名").click()
    await expect(page.locator("#toast")).to_contain_text("已改名：市文化和旅游体育局")
    row = page.locator('.departments tr[data-department="tiyu"]')
    await expect(row.get_by_label("部门名称：tiyu")).to_have_value("市文化和旅游体育局")
    await row.get_by_role("button", name="停用").click()
    await row.get_by_role("button", name="再点一次确认").click()
    await expect(page.locator('.departments tr[data-department="tiyu"]')).to_contain_text("已停用")
    assert await Department.select(Department.name, Department.active).where(Department.code == "tiyu").first() == {
        "name": "市文化和旅游体育局", "active": False}
    await expect(page.locator(".new-user").get_by_label("所属部门").locator("option", has_text="文化和旅游")).to_have_count(0)
