"""Photo upload over HTTP: idempotent by UUID, evidence flags, bad input refused, reads scoped."""

import asyncio
import hashlib
import io
from datetime import UTC, datetime

from PIL import Image

from server.photos.tables import Photo
from tests.audit.helpers import assert_audited
from tests.inspections.helpers import new_uuid, visit_naming
from tests.photos.fixtures import FIXTURES, png_bomb, zip_bytes

A1 = (35.03, 111.01)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def _put(client, uuid, data, **params):
    params.setdefault("sha256", _sha(data))
    return await client.put(f"/api/photos/{uuid}", content=data, params=params, headers={"Content-Type": "application/octet-stream"})


async def test_upload_reads_exif_gps_and_flags_a_far_photo(world):
    client = await world.client("inspector")
    data = (FIXTURES / "gps" / "DSCN0010.jpg").read_bytes()
    r = await _put(client, new_uuid(), data, site_id=world.sites["a1"], lat=A1[0], lon=A1[1], accuracy=10)
    assert r.status_code == 200, r.text
    out = r.json()
    assert abs(out["exif_lat"] - 43.467448) < 1e-5 and abs(out["exif_lon"] - 11.885127) < 1e-5
    assert out["far_from_site"] is True and out["distance_m"] > 1_000_000  # Italy, not Yuncheng
    assert out["taken_at"].startswith("2008-10-22T16:28:39")  # DateTimeOriginal, camera local time
    await assert_audited("photo.upload", out["uuid"], actor="inspector", bytes=len(data))


async def test_browser_position_near_site_is_not_flagged(world):
    client = await world.client("inspector")
    data = (FIXTURES / "phone" / "jolla.jpg").read_bytes()  # no GPS in the file
    r = await _put(client, new_uuid(), data, site_id=world.sites["a1"], lat=A1[0] + 0.001, lon=A1[1], accuracy=15)
    out = r.json()
    assert out["exif_lat"] is None and out["far_from_site"] is False and 100 < out["distance_m"] < 120


async def test_exif_read_on_the_phone_stands_in_for_exif_lost_to_compression(world):
    client = await world.client("inspector")
    original = Image.open(FIXTURES / "gps" / "DSCN0010.jpg")
    out = io.BytesIO()
    original.convert("RGB").resize((800, 600)).save(out, "JPEG", quality=80)  # what the phone uploads: no EXIF
    r = await _put(client, new_uuid(), out.getvalue(), site_id=world.sites["a1"], lat=A1[0], lon=A1[1], accuracy=10,
                   exif_lat=43.467448, exif_lon=11.885127, exif_time="2008-10-22T16:28:39", exif_offset="+02:00")
    assert r.status_code == 200, r.text
    got = r.json()
    assert abs(got["exif_lat"] - 43.467448) < 1e-6 and got["far_from_site"] is True
    taken = datetime.fromisoformat(got["taken_at"])  # camera time at +02:00, not read as Beijing time
    assert taken == datetime(2008, 10, 22, 14, 28, 39, tzinfo=UTC)
    bad = await _put(client, new_uuid(), out.getvalue(), exif_offset="8h")
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_body"


async def test_retry_is_the_same_photo_and_stored_once(world):
    client = await world.client("inspector")
    data = (FIXTURES / "gps" / "DSCN0012.jpg").read_bytes()
    uuid = new_uuid()
    results = await asyncio.gather(*[_put(client, uuid, data, site_id=world.sites["a1"]) for _ in range(3)])
    assert [r.status_code for r in results] == [200, 200, 200]
    assert len({r.json()["sha256"] for r in results}) == 1
    assert await Photo.count() == 1


async def test_same_uuid_with_other_bytes_is_409(world):
    client = await world.client("inspector")
    uuid = new_uuid()
    await _put(client, uuid, (FIXTURES / "gps" / "DSCN0012.jpg").read_bytes())
    r = await _put(client, uuid, (FIXTURES / "gps" / "DSCN0021.jpg").read_bytes())
    assert r.status_code == 409 and r.json()["error"] == "photo_conflict"


async def test_dropped_upload_then_retry_keeps_the_hash(world):
    client = await world.client("inspector")
    data = (FIXTURES / "phone" / "jolla.jpg").read_bytes()
    uuid = new_uuid()
    cut = await _put(client, uuid, data[: len(data) // 2], sha256=_sha(data))  # the connection dropped mid-body
    assert cut.status_code == 422 and cut.json()["error"] == "sha256_mismatch"
    ok = await _put(client, uuid, data)
    assert ok.status_code == 200 and ok.json()["sha256"] == _sha(data)
    original = await client.get(f"/api/photos/{uuid}/original")
    assert _sha(original.content) == _sha(data)


async def test_bad_uploads_are_refused_and_nothing_stored(world):
    client = await world.client("inspector")
    jolla = (FIXTURES / "phone" / "jolla.jpg").read_bytes()
    cases = [
        (jolla[: len(jolla) // 2], 422, "image_corrupt"),
        (zip_bytes(), 415, "unsupported_media"),
        (b"<!doctype html><html><body>hi</body></html>", 415, "unsupported_media"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', 415, "unsupported_media"),
        (png_bomb(), 413, "too_large"),
    ]
    for data, status, code in cases:
        r = await _put(client, new_uuid(), data)
        assert (r.status_code, r.json()["error"]) == (status, code), r.text
    assert await Photo.count() == 0


async def test_oversize_body_is_413(world):
    client = await world.client("inspector")
    data = b"\xff\xd8\xff" + b"0" * (21 * 1024 * 1024)
    r = await _put(client, new_uuid(), data)
    assert r.status_code == 413 and r.json()["error"] == "too_large"
    assert await Photo.count() == 0


async def test_served_copies_are_upright_and_carry_no_exif(world):
    client = await world.client("inspector")
    uuid = new_uuid()
    await _put(client, uuid, (FIXTURES / "orientation" / "portrait_6.jpg").read_bytes())
    for kind in ("display", "thumb"):
        r = await client.get(f"/api/photos/{uuid}/{kind}")
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/jpeg")
        im = Image.open(io.BytesIO(r.content))
        assert im.height > im.width and not im.getexif() and b"Exif\x00\x00" not in r.content


async def test_watermark_on_demand_leaves_original_untouched(world):
    client = await world.client("inspector")
    data = (FIXTURES / "gps" / "DSCN0010.jpg").read_bytes()
    uuid = new_uuid()
    await _put(client, uuid, data, site_id=world.sites["a1"])
    stamped = await client.get(f"/api/photos/{uuid}/watermarked")
    display = await client.get(f"/api/photos/{uuid}/display")
    assert stamped.status_code == 200 and stamped.content != display.content
    assert Image.open(io.BytesIO(stamped.content)).size == Image.open(io.BytesIO(display.content)).size
    assert _sha((await client.get(f"/api/photos/{uuid}/original")).content) == _sha(data)


async def test_photo_reads_follow_the_inspection(world):
    inspector = await world.client("inspector")
    photo = new_uuid()
    inspection = new_uuid()
    await _put(inspector, photo, (FIXTURES / "gps" / "DSCN0021.jpg").read_bytes(), site_id=world.sites["a1"], inspection=inspection)
    county = await world.client("county_a")
    assert (await county.get(f"/api/photos/{photo}")).status_code == 404  # its visit is not submitted yet
    r = await inspector.put(f"/api/inspections/{inspection}", json=visit_naming(world.sites["a1"], *A1, photo))
    assert r.status_code == 200, r.text
    assert (await county.get(f"/api/photos/{photo}/thumb")).status_code == 200
    other = await world.client("county_b")
    assert (await other.get(f"/api/photos/{photo}")).status_code == 404


async def test_photos_taken_outside_the_visit_are_flagged(world):
    from datetime import timedelta

    from server.lib import clock

    inspector = await world.client("inspector")
    inspection = new_uuid()
    old, fresh = new_uuid(), new_uuid()
    # before the visit is submitted: a 2008 camera photo, and a photo captured now, its EXIF stripped
    await _put(inspector, old, (FIXTURES / "gps" / "DSCN0010.jpg").read_bytes(), inspection=inspection)
    buf = io.BytesIO()
    Image.open(FIXTURES / "phone" / "jolla.jpg").save(buf, "JPEG", quality=70)  # as the phone app sends it: EXIF gone
    r = await _put(inspector, fresh, buf.getvalue(), inspection=inspection,
                   captured_at=(clock.now() - timedelta(minutes=10)).isoformat())
    assert r.json()["outside_visit"] is None  # the visit is not there yet
    r = await inspector.put(f"/api/inspections/{inspection}", json=visit_naming(world.sites["a1"], *A1, old, fresh))
    assert r.status_code == 200, r.text
    assert (await inspector.get(f"/api/photos/{old}")).json()["outside_visit"] is True
    assert (await inspector.get(f"/api/photos/{fresh}")).json()["outside_visit"] is False
    await assert_audited("photo.flag", inspection, actor="inspector", outside_visit={old: True, fresh: False})
    late = new_uuid()  # after the visit was submitted, judged on arrival
    r = await _put(inspector, late, (FIXTURES / "gps" / "DSCN0012.jpg").read_bytes(), inspection=inspection)
    assert r.json()["outside_visit"] is True


async def test_a_photo_removed_from_the_visit_after_its_upload_is_forgotten_at_submit(world):
    inspector = await world.client("inspector")
    county = await world.client("county_a")
    inspection = new_uuid()
    kept, removed = new_uuid(), new_uuid()
    for uuid, name in ((kept, "gps/DSCN0021.jpg"), (removed, "phone/jolla.jpg")):
        r = await _put(inspector, uuid, (FIXTURES / name).read_bytes(), site_id=world.sites["a1"], inspection=inspection)
        assert r.status_code == 200, r.text
    # the inspector took the second one out on the phone before submitting: the visit names the first only
    r = await inspector.put(f"/api/inspections/{inspection}", json=visit_naming(world.sites["a1"], *A1, kept))
    assert r.status_code == 200, r.text
    assert (await county.get(f"/api/photos/{kept}/thumb")).status_code == 200
    for reader in (inspector, county, await world.client("admin")):
        assert (await reader.get(f"/api/photos/{removed}")).status_code == 404
    assert await Photo.count().where(Photo.uuid == removed) == 0
    await assert_audited("photo.forget", inspection, actor="inspector", photos=[removed])
    # a stale tab's upload after the submit, named by nothing: its own uploader's, never the county's
    late = new_uuid()
    r = await _put(inspector, late, (FIXTURES / "gps" / "DSCN0012.jpg").read_bytes(), site_id=world.sites["a1"], inspection=inspection)
    assert r.status_code == 200
    assert (await county.get(f"/api/photos/{late}")).status_code == 404
    assert (await inspector.get(f"/api/photos/{late}")).status_code == 200
