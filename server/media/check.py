"""``ducha media check``: what in the object store nothing refers to, and (``remove``) its removal.

A crash between writing a file and committing its row leaves a file no row names: a photo whose
upload never committed (or was forgotten), a half-written ``.tmp-*``, a ledger's ``.part`` or a
ledger file whose job row is gone. Such files are found by listing the store (the media folder or the S3 bucket) and
asking the database; files younger than the grace period are left alone, as their row may be committing
right now. The server runs this at start-up in a background thread (removing), so a crash's
leftovers go at the next start; the command reports (and with ``--remove`` removes) at any time.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from server.lib.storage import Entry, ObjectStore

log = logging.getLogger("ducha")

PHOTO_KINDS = ("originals", "display", "thumbs")
_SHA = re.compile(r"^([0-9a-f]{64})(\.[a-z0-9]+)?$")
_LEDGER = re.compile(r"^([0-9a-f-]{36})\.(pdf|xlsx)$")


@dataclass
class Report:
    """What was found (where it is: a path or ``s3://…``; bytes) by category, and whether it was removed."""

    orphan_photos: list[tuple[Path | str, int]] = field(default_factory=list)
    orphan_ledgers: list[tuple[Path | str, int]] = field(default_factory=list)
    temporary: list[tuple[Path | str, int]] = field(default_factory=list)
    removed: bool = False
    keys: list[str] = field(default_factory=list, repr=False)

    def all(self) -> list[tuple[Path | str, int]]:
        return [*self.orphan_photos, *self.orphan_ledgers, *self.temporary]

    def add(self, found: list[tuple[Path | str, int]], entry: Entry) -> None:
        found.append((entry.where, entry.size))
        self.keys.append(entry.key)

    def summary(self) -> str:
        def part(items: list[tuple[Path | str, int]]) -> str:
            return f"{len(items)} 个（{sum(b for _, b in items) / 1024 / 1024:.1f} MB）"

        verb = "已删除" if self.removed else "发现"
        return (f"{verb}：无记录的照片文件 {part(self.orphan_photos)}，无记录的台账文件 {part(self.orphan_ledgers)}，"
                f"中断写入留下的临时文件 {part(self.temporary)}")


def _temporary(name: str) -> bool:
    return name.startswith(".tmp-") or name.endswith(".part")


def scan(store: ObjectStore, photo_hashes: set[str], ledger_files: set[str], grace_seconds: float, now: float | None = None) -> Report:
    """List the store: photo objects whose SHA-256 is not in ``photo_hashes``, ledger files not in
    ``ledger_files`` (``<uuid>.<format>``), and temporary files; all older than the grace period."""
    cutoff = (time.time() if now is None else now) - grace_seconds
    report = Report()
    for kind in PHOTO_KINDS:
        for entry in store.entries(f"photos/{kind}/"):
            if entry.modified >= cutoff:
                continue
            name = entry.key.rsplit("/", 1)[-1]
            m = _SHA.match(name)
            if _temporary(name):
                report.add(report.temporary, entry)
            elif m and m[1] not in photo_hashes:
                report.add(report.orphan_photos, entry)
    for entry in store.entries("ledgers/"):
        name = entry.key.rsplit("/", 1)[-1]
        if entry.modified >= cutoff:
            continue
        if _temporary(name):
            report.add(report.temporary, entry)
        elif _LEDGER.match(name) and name not in ledger_files:
            report.add(report.orphan_ledgers, entry)
    return report


def remove(report: Report, store: ObjectStore) -> Report:
    for key in report.keys:
        store.delete(key)
    report.removed = True
    return report


async def check(*, remove_found: bool = False, grace_seconds: float = 3600) -> Report:
    """Scan the configured media folder against the database (and remove what was found)."""
    import anyio

    from server.ledgers.tables import LedgerJob
    from server.lib.storage import media_store
    from server.photos.tables import Photo

    # read the references first: a file written after this read is younger than the grace period
    hashes = {r["sha256"] for r in await Photo.select(Photo.sha256).where(Photo.sha256.is_not_null())}
    jobs = {f"{r['uuid']}.{r['format']}" for r in await LedgerJob.select(LedgerJob.uuid, LedgerJob.format)}
    store = media_store()
    report = await anyio.to_thread.run_sync(scan, store, hashes, jobs, grace_seconds)
    if remove_found:
        await anyio.to_thread.run_sync(remove, report, store)
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
