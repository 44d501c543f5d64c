"""With DUCHA_STORAGE set to a bucket (a local S3-protocol server here), photos and ledgers are kept
in the bucket, not on the node's disk; every download still goes through the server's scope
checks; the ledger worker (its own process) reads thumbnails from and writes its file to the
bucket; the media check lists and cleans the bucket."""

from __future__ import annotations

import hashlib
import io

from pypdf import PdfReader

from server.media import check as media
from server.settings import get_settings
from tests.ledgers.helpers import upload_photo, visit_with_issues, wait_done
from tests.photos.fixtures import photo as fixture_photo


async def test_photos_live_in_the_bucket_and_are_served_only_within_scope(s3_storage, world):
    server, bucket, prefix = s3_storage
    inspector = await world.client("inspector")
    uuid = await upload_photo(inspector, world.sites["a1"])
    data = fixture_photo("gps/DSCN0012.jpg")
    sha = hashlib.sha256(data).hexdigest()
    folder = f"{sha[:2]}/{sha[2:4]}/{sha}"
    assert {f"{prefix}/photos/originals/{folder}.jpg", f"{prefix}/photos/display/{folder}",
            f"{prefix}/photos/thumbs/{folder}"} <= set(server.keys(bucket))
    assert not (get_settings().media_dir / "photos").exists()  # nothing on the node's own disk

    original = await inspector.get(f"/api/photos/{uuid}/original")
    assert original.status_code == 200 and original.content == data
    thumb = await inspector.get(f"/api/photos/{uuid}/thumb")
    assert thumb.status_code == 200 and thumb.headers["content-type"].startswith("image/jpeg") and len(thumb.content) < len(data)
    stamped = await inspector.get(f"/api/photos/{uuid}/watermarked")
    assert stamped.status_code == 200
    assert any(k.startswith(f"{prefix}/photos/watermarked/") for k in server.keys(bucket))  # the stamped copy is kept too

    outsider = await world.client("county_b")  # another county: the photo is not theirs to see
    missing = await outsider.get(f"/api/photos/{uuid}/original")
    assert missing.status_code == 404 and data not in missing.content


async def test_a_ledger_is_rendered_from_and_into_the_bucket(s3_storage, world):
    server, bucket, prefix = s3_storage
    uuid = await upload_photo(await world.client("inspector"), world.sites["a1"])
    await visit_with_issues(world, "a1", photo=uuid)
    admin = await world.client("admin")
    r = await admin.post("/api/ledgers", json={"kind": "rectification"})
    assert r.status_code == 202, r.text
    job = await wait_done(admin, r.json())
    assert job["state"] == "done", job["error"]
    assert f"{prefix}/ledgers/{job['uuid']}.pdf" in server.keys(bucket)
    f = await admin.get(job["file_url"])
    assert f.status_code == 200 and hashlib.sha256(f.content).hexdigest() == job["sha256"]
    pages = PdfReader(io.BytesIO(f.content)).pages
    assert sum(len(p.images) for p in pages) >= 1  # the photo's thumbnail (整改前), fetched from the bucket by the worker
    assert any((get_settings().media_dir / "cache" / "photos" / "thumbs").rglob("*"))  # kept on the node for the next ledger

    outsider = await world.client("county_b")
    assert (await outsider.get(job["file_url"])).status_code == 404

    server.client().delete_object(Bucket=bucket, Key=f"{prefix}/ledgers/{job['uuid']}.pdf")  # removed by hand
    gone = await admin.get(job["file_url"])
    assert gone.status_code == 409 and gone.json()["error"] == "file_missing" and "重新生成" in gone.json()["message"]


async def test_the_media_check_cleans_the_bucket(s3_storage, world):
    server, bucket, prefix = s3_storage
    kept = await upload_photo(await world.client("inspector"), world.sites["a1"])
    orphan_sha = hashlib.sha256(b"never committed").hexdigest()
    orphan = f"{prefix}/photos/originals/{orphan_sha[:2]}/{orphan_sha[2:4]}/{orphan_sha}.jpg"
    server.client().put_object(Bucket=bucket, Key=orphan, Body=b"x" * 1000)
    stray = f"{prefix}/ledgers/4f1c9a8e-0000-4000-8000-000000000001.pdf"
    server.client().put_object(Bucket=bucket, Key=stray, Body=b"%PDF-1.7")

    report = await media.check(grace_seconds=0)
    assert [w for w, _ in report.orphan_photos] == [f"s3://{bucket}/{orphan}"]
    assert [w for w, _ in report.orphan_ledgers] == [f"s3://{bucket}/{stray}"]
    assert orphan in server.keys(bucket)  # a report removes nothing

    report = await media.check(remove_found=True, grace_seconds=0)
    keys = server.keys(bucket)
    assert report.removed and orphan not in keys and stray not in keys
    assert (await (await world.client("inspector")).get(f"/api/photos/{kept}/original")).status_code == 200
