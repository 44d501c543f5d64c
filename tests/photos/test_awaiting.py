"""Photos that arrived for a visit the server has not accepted (refused, or still on the phone) wait
for it, keyed by its UUID, for KEEP_DAYS; the city admin sees them as 待补交督查记录."""

from datetime import timedelta

import pytest

from server.lib import clock
from server.photos.awaiting import KEEP_DAYS, forget_expired
from server.photos.tables import Photo
from tests.audit.helpers import assert_audited
from tests.inspections.helpers import new_uuid, upload_photo, visit_naming

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock

A1 = (35.03, 111.01)


async def test_the_city_admin_sees_photos_waiting_for_their_visit_until_it_comes(world):
    inspector, admin = await world.client("inspector"), await world.client("admin")
    visit = new_uuid()
    photos = [await upload_photo(inspector, world.sites["a1"], inspection=visit) for _ in range(2)]
    listed = (await admin.get("/api/photos/awaiting")).json()
    assert [(v["inspection_uuid"], v["inspector"], v["photos"]) for v in listed] == [(visit, "inspector", 2)]
    assert listed[0]["site_name"] and listed[0]["keep_until"] > listed[0]["first_at"]
    for who in ("inspector", "county_a"):
        r = await (await world.client(who)).get("/api/photos/awaiting")
        assert r.status_code == 403 and "市级管理员" in r.json()["message"]

    assert await forget_expired(clock.now() + timedelta(days=KEEP_DAYS - 1)) == 0, "kept for the stated time"
    r = await inspector.put(f"/api/inspections/{visit}", json=visit_naming(world.sites["a1"], *A1, *photos))
    assert r.status_code == 200, r.text
    assert (await admin.get("/api/photos/awaiting")).json() == [], "the visit came and joined them"
    assert await forget_expired(clock.now() + timedelta(days=KEEP_DAYS + 1)) == 0, "a joined photo is never forgotten"


async def test_photos_whose_visit_never_comes_are_forgotten_after_the_stated_time(world):
    inspector, admin = await world.client("inspector"), await world.client("admin")
    visit = new_uuid()
    photo = await upload_photo(inspector, world.sites["a1"], inspection=visit)
    assert await forget_expired(clock.now() + timedelta(days=KEEP_DAYS + 1)) == 1
    assert await Photo.count().where(Photo.uuid == photo) == 0
    assert (await admin.get("/api/photos/awaiting")).json() == []
    await assert_audited("photo.expire", photos=1, visits=[visit])
