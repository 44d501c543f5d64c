"""A field user in a valley with one bar: a camera photo over a slow uplink that is cut again and
again arrives in resumable pieces, sending each byte about once, and the visit record submitted
while it uploads goes ahead of it.

The link is one bar scaled in time: 8 KB/s cut every 12 s instead of 4 KB/s cut every 30 s (the
phone's piece sizes adapt to the time a piece takes, 4 to 10 s, so the first pieces take as long
against the cuts as on the real link), so the photo still meets several cuts mid-way in a third
of the wall time."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from playwright.async_api import expect

from server.inspections.tables import Inspection
from server.photos.tables import Photo
from tests.pwa.driver import (
    all_synced,
    fill_everything,
    log_in,
    start_visit,
    submit,
)
from tests.pwa.uplink import Uplink

SITE = "盐湖测试安置点一"
TEMPLATE = "社区治理与社会融入督查表"


async def _stored_photo_bytes(page) -> dict:
    """The phone's stored photos not yet uploaded: uuid → bytes."""
    return await page.evaluate("""() => new Promise((done) => {
        const req = indexedDB.open("ducha");
        req.onsuccess = () => {
          const all = req.result.transaction("photos").objectStore("photos").getAll();
          all.onsuccess = () => done(Object.fromEntries(all.result.filter((p) => p.bytes).map((p) => [p.uuid, p.bytes.byteLength])));
        };
      })""")


async def test_a_camera_photo_over_a_slow_link_cut_again_and_again_arrives_after_the_visit_record(world, phone, live_server):
    async with Uplink(int(live_server.rsplit(":", 1)[1])) as link:
        ctx = await phone(base_url=link.url)
        page = await ctx.new_page()
        await log_in(page, "inspector")
        uuid = await start_visit(page, SITE, [TEMPLATE])
        await fill_everything(page, fail=0)
        thumbs = page.locator("figure.thumb")  # keep the 12 MP camera shot (compressed on the phone), drop the rest
        for left in range(await thumbs.count() - 1, 0, -1):
            await thumbs.nth(1).get_by_role("button", name="删除照片").click()
            await expect(thumbs).to_have_count(left)
        sizes = await _stored_photo_bytes(page)
        assert len(sizes) == 1
        photo_uuid, size = next(iter(sizes.items()))
        assert size > 250_000, size  # ~30 s of sending at 8 KB/s

        link.set(rate=8192, cut_every=12)  # one bar: 8 KB/s, the connection dropped every 12 s
        order: list[str] = []
        ctx.on("response", lambda r: order.append(_what(r)))
        up_before = link.bytes_up
        await submit(page)
        await page.locator("#syncbar a").click()
        await expect(page.locator(".upload-progress small")).to_contain_text("上传中", timeout=60000)
        await all_synced(page, timeout=300_000)

        photo = await Photo.select().where(Photo.uuid == photo_uuid).first()
        visit = await Inspection.select().where(Inspection.uuid == uuid).first()
        assert photo is not None and photo["size_bytes"] == size and visit is not None
        assert photo_uuid in str(visit["photos"])
        assert link.cuts >= 2, link.cuts  # it really was cut, more than once
        assert order.index("visit") < order.index("photo-done"), order  # the record did not wait behind the photo
        on_wire = link.bytes_up - up_before
        assert on_wire < 1.5 * size, (on_wire, size)  # headers and cut pieces included
        print(f"\n{size} B photo over 8 KB/s with {link.cuts} cuts: {on_wire} B on the wire ({on_wire / size:.2f}x)")


def _what(response) -> str:
    """visit: the record arrived; photo-done: the last piece of a photo was taken."""
    req = response.request
    if not response.ok:
        return "error"
    if req.method == "PUT" and "/api/inspections/" in req.url:
        return "visit"
    if req.method == "PATCH" and "/api/photo-uploads/" in req.url:
        q = parse_qs(urlsplit(req.url).query)
        last = int(q["offset"][0]) + len(req.post_data_buffer or b"") == int(q["size"][0])
        return "photo-done" if last else "piece"
    return "other"
