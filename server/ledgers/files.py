"""Where generated ledger files live: ``<media>/ledgers/<job uuid>.<format>``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from server.settings import get_settings


def folder() -> Path:
    return get_settings().media_dir / "ledgers"


def file_path(job: dict[str, Any]) -> Path:
    return folder() / f"{job['uuid']}.{job['format']}"
