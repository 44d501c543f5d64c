"""Where generated ledger files live: ``ledgers/<job uuid>.<format>`` in the object store (the
media folder, or an S3-compatible bucket)."""

from __future__ import annotations

from typing import Any

from server.lib.errors import Conflict
from server.lib.storage import media_store


def key(job: dict[str, Any]) -> str:
    return f"ledgers/{job['uuid']}.{job['format']}"


def write(job: dict[str, Any], data: bytes) -> None:
    """Store a finished ledger whole (a rerun of the job replaces it with the same rows' file)."""
    media_store().put(key(job), data)


def read(job: dict[str, Any]) -> bytes:
    """A done job's file; 409 file_missing when the store no longer has it (removed by hand)."""
    try:
        return media_store().get(key(job))
    except FileNotFoundError:
        raise Conflict("台账文件已不在存储中，请重新生成", code="file_missing") from None
