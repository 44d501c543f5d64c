"""``ducha media check``: what in the media folder nothing refers to, and (``remove``) its removal.

A crash between writing a file and committing its row leaves a file no row names: a photo whose
upload never committed (or was forgotten), a half-written ``.tmp-*``, a ledger's ``.part`` or a
ledger file whose job row is gone. Such files are found by walking the folder and asking the
database; files younger than the grace period are left alone, as their row may be committing
right now. The server runs this at start-up in a background thread (removing), so a crash's
leftovers go at the next start; the command reports (and with ``--remove`` removes) at any time.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("ducha")

PHOTO_KINDS = ("originals", "display", "thumbs")
_SHA = re.compile(r"^([0-9a-f]{64})(\.[a-z0-9]+)?$")
_LEDGER = re.compile(r"^([0-9a-f-]{36})\.(pdf|xlsx)$")


@dataclass
class Report:
    """What was found (path, bytes) by category, and whether it was removed."""

    orphan_photos: list[tuple[Path, int]] = field(default_factory=list)
    orphan_ledgers: list[tuple[Path, int]] = field(default_factory=list)
    temporary: list[tuple[Path, int]] = field(default_factory=list)
    removed: bool = False

    def all(self) -> list[tuple[Path, int]]:
        return [*self.orphan_photos, *self.orphan_ledgers, *self.temporary]

    def summary(self) -> str:
        def part(items: list[tuple[Path, int]]) -> str:
            return f"{len(items)} 个（{sum(b for _, b in items) / 1024 / 1024:.1f} MB）"

        verb = "已删除" if self.removed else "发现"
        return (f"{verb}：无记录的照片文件 {part(self.orphan_photos)}，无记录的台账文件 {part(self.orphan_ledgers)}，"
                f"中断写入留下的临时文件 {part(self.temporary)}")


def _old(path: Path, cutoff: float) -> int | None:
    """The file's size when it was last written before ``cutoff``; None when younger or gone."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_size if st.st_mtime < cutoff else None


def scan(media: Path, photo_hashes: set[str], ledger_files: set[str], grace_seconds: float, now: float | None = None) -> Report:
    """Walk ``media``: photo files whose SHA-256 is not in ``photo_hashes``, ledger files not in
    ``ledger_files`` (``<uuid>.<format>``), and temporary files; all older than the grace period."""
    cutoff = (time.time() if now is None else now) - grace_seconds
    report = Report()
    for kind in PHOTO_KINDS:
        for path in (media / "photos" / kind).rglob("*"):
            if not path.is_file():
                continue
            m = _SHA.match(path.name)
            size = _old(path, cutoff)
            if size is None:
                continue
            if path.name.startswith(".tmp-"):
                report.temporary.append((path, size))
            elif m and m[1] not in photo_hashes:
                report.orphan_photos.append((path, size))
    ledgers = media / "ledgers"
    if ledgers.is_dir():
        for path in ledgers.iterdir():
            size = _old(path, cutoff) if path.is_file() else None
            if size is None:
                continue
            if path.suffix == ".part":
                report.temporary.append((path, size))
            elif _LEDGER.match(path.name) and path.name not in ledger_files:
                report.orphan_ledgers.append((path, size))
    return report


def remove(report: Report) -> Report:
    for path, _ in report.all():
        path.unlink(missing_ok=True)
    report.removed = True
    return report


async def check(*, remove_found: bool = False, grace_seconds: float = 3600) -> Report:
    """Scan the configured media folder against the database (and remove what was found)."""
    import anyio

    from server.ledgers.tables import LedgerJob
    from server.photos.tables import Photo
    from server.settings import get_settings

    # read the references first: a file written after this read is younger than the grace period
    hashes = {r["sha256"] for r in await Photo.select(Photo.sha256).where(Photo.sha256.is_not_null())}
    jobs = {f"{r['uuid']}.{r['format']}" for r in await LedgerJob.select(LedgerJob.uuid, LedgerJob.format)}
    media = get_settings().media_dir
    report = await anyio.to_thread.run_sync(scan, media, hashes, jobs, grace_seconds)
    if remove_found:
        await anyio.to_thread.run_sync(remove, report)
    return report


async def reap_at_start_up() -> None:
    """Start-up: remove a previous crash's leftovers (in a thread, never holding up the start)."""
    try:
        report = await check(remove_found=True)
    except Exception:
        log.exception("media check at start-up failed")
        return
    if report.all():
        log.warning("media check at start-up: %s", report.summary())
