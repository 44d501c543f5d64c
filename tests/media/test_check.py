"""A crash's leftovers in the media folder (a photo file whose row never committed, a half-written
temporary file, a ledger file without its job) are found and removed; what rows refer to, and what
is younger than the grace period, stays."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

from server.media import check as media
from server.photos.service import store
from server.settings import get_settings
from tests.inspections.helpers import new_uuid, upload_photo
from tests.photos.fixtures import photo

ROOT = Path(__file__).resolve().parents[2]
HOURS_AGO = time.time() - 2 * 3600


def _aged(path: Path, data: bytes = b"x" * 1000) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (HOURS_AGO, HOURS_AGO))
    return path


def _leftovers() -> dict[str, Path]:
    media_dir = get_settings().media_dir
    sha = hashlib.sha256(b"never committed").hexdigest()
    return {
        "photo": _aged(media_dir / "photos" / "originals" / sha[:2] / sha[2:4] / f"{sha}.jpg"),
        "thumb": _aged(media_dir / "photos" / "thumbs" / sha[:2] / sha[2:4] / f"{sha}.jpg"),
        "tmp": _aged(media_dir / "photos" / "display" / "ab" / "cd" / ".tmp-k2j3h4"),
        "ledger": _aged(media_dir / "ledgers" / f"{new_uuid()}.pdf"),
        "part": _aged(media_dir / "ledgers" / f"{new_uuid()}.part"),
    }


async def test_leftovers_are_reported_then_removed_and_what_rows_name_stays(world):
    inspector = await world.client("inspector")
    kept = await upload_photo(inspector, world.sites["a1"])
    kept_sha = hashlib.sha256(photo("gps/DSCN0010.jpg")).hexdigest()
    st = store()
    kept_files = [st.path(k) for k in (f"originals/{kept_sha[:2]}/{kept_sha[2:4]}/{kept_sha}.jpg",) if st.path(k).exists()]
    assert kept_files, kept
    for path in kept_files:
        os.utime(path, (HOURS_AGO, HOURS_AGO))  # old enough to be judged
    left = _leftovers()
    young = hashlib.sha256(b"committing now").hexdigest()
    young_file = get_settings().media_dir / "photos" / "originals" / young[:2] / young[2:4] / f"{young}.jpg"
    young_file.parent.mkdir(parents=True, exist_ok=True)
    young_file.write_bytes(b"y")
    os.utime(young_file, (time.time(), time.time()))  # "now" as this process's clock reads it (faketime moves it, not the kernel's file times)

    report = await media.check()
    # (other tests' files may be there too: their rows went with the tables they emptied)
    assert {left["photo"], left["thumb"]} <= {p for p, _ in report.orphan_photos}
    assert left["ledger"] in {p for p, _ in report.orphan_ledgers}
    assert {left["tmp"], left["part"]} <= {p for p, _ in report.temporary}
    reported = {p for p, _ in report.all()}
    assert not reported & {*kept_files, young_file}
    assert all(p.exists() for p in left.values())  # a report removes nothing

    report = await media.check(remove_found=True)
    assert report.removed and not any(p.exists() for p in left.values())
    assert all(p.exists() for p in kept_files) and young_file.exists()
    assert (await inspector.get(f"/api/photos/{kept}/thumb")).status_code == 200
    assert not (await media.check()).all()


async def test_the_command_reports_and_removes(world):
    left = _leftovers()
    env = {**os.environ, "PICCOLO_CONF": "piccolo_conf"}
    run = [sys.executable, "-m", "server.cli", "media", "check"]
    seen = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True)
    assert seen.returncode == 0, seen.stderr
    assert "发现：无记录的照片文件" in seen.stdout and all(str(p) in seen.stdout for p in left.values())
    assert all(p.exists() for p in left.values())
    gone = subprocess.run([*run, "--remove"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert gone.returncode == 0 and "已删除" in gone.stdout
    assert not any(p.exists() for p in left.values())


async def test_a_photo_killed_before_its_commit_leaves_a_file_the_next_start_removes(world):
    """kill -9 between the file and its row: the restarted server's start-up check reaps the file
    once it is older than the grace period."""
    from tests.inspections.test_crash import _start, _unanswered

    image = photo("gps/DSCN0012.jpg")
    sha = hashlib.sha256(image).hexdigest()
    server = await _start("photo-before-commit")
    client = await server.client()
    await _unanswered(client.put(f"/api/photos/{new_uuid()}", content=image,
                                 params={"sha256": sha, "site_id": world.sites["a1"]}))
    assert server.killed()
    orphans = [p for p in (get_settings().media_dir / "photos").rglob(f"{sha}*") if p.is_file()]
    assert orphans, "the crash point is after the file is written"
    report = await media.check(grace_seconds=0)
    assert {p for p, _ in report.orphan_photos} >= set(orphans)
    for path in orphans:
        os.utime(path, (HOURS_AGO, HOURS_AGO))
    server = await _start()  # its start-up check removes them
    try:
        for _ in range(300):
            if not any(p.exists() for p in orphans):
                break
            await __import__("asyncio").sleep(0.05)
        assert not any(p.exists() for p in orphans)
    finally:
        server.stop()
