"""安装到桌面: shown only where the browser offers it, with the reason (persistent storage), and used once."""

from __future__ import annotations

from playwright.async_api import expect

from tests.pwa.driver import log_in

# Headless Chromium never offers an install by itself: the test plays the browser's part with the
# event Chrome on Android sends (prompt() and userChoice, as the spec of BeforeInstallPromptEvent).
OFFER = """() => {
  window.__prompted = 0;
  const e = new Event("beforeinstallprompt", { cancelable: true });
  e.prompt = async () => { window.__prompted += 1; };
  e.userChoice = Promise.resolve({ outcome: "accepted", platform: "web" });
  window.dispatchEvent(e);
  return e.defaultPrevented;
}"""


async def test_the_install_card_appears_only_when_the_browser_offers_and_says_why(world, phone):
    page = await (await phone()).new_page()
    await log_in(page, "inspector")
    await expect(page.locator(".home")).to_be_visible()
    await expect(page.get_by_role("button", name="安装到桌面")).to_have_count(0)  # nothing offered, nothing shown

    assert await page.evaluate(OFFER) is True  # our card instead of the browser's mini bar
    card = page.locator(".home .install")
    await expect(card).to_contain_text("不会因空间紧张被清除")
    await page.goto("/#/sync")
    await expect(page.locator(".sync .install")).to_be_visible()  # also beside the storage state
    await page.goto("/#/")
    await card.get_by_role("button", name="安装到桌面").click()
    await expect(card).to_have_count(0)
    assert await page.evaluate("window.__prompted") == 1
    await page.goto("/#/sync")
    await expect(page.locator(".sync h1")).to_be_visible()
    await expect(page.locator(".install")).to_have_count(0)  # an offer is used once
