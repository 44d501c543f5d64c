"""Import a phone's "export my unsynced data" file (pwa: 导出未同步数据) when the phone itself can
no longer sync: its photos, inspections and rectifications go in as the user who made them, through
the same services (and checks) as a sync. Every item is keyed by the phone's UUID, so importing the
same file twice, or after the phone did sync after all, changes nothing."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec

from server.accounts.guards import Principal, principal_of
from server.accounts.tables import User
from server.lib.errors import DomainError, Invalid

FORMAT = "ducha-unsynced-1"


async def principal(username: str) -> Principal:
    u = await User.select().where(User.username == username).first()
    if u is None or not u["active"]:
        raise Invalid("unknown_user", f"没有可用的用户 {username}")
    return principal_of(u)


def _meta(photo: dict[str, Any], sha256: str):
    from server.photos.service import PhotoMeta

    q = {k: v for k, v in (photo.get("query") or {}).items() if v not in ("", None)}

    def num(key):
        return float(q[key]) if key in q else None

    def when(key):
        return datetime.fromisoformat(q[key]) if key in q else None

    return PhotoMeta(sha256=sha256, site_id=int(q["site_id"]) if "site_id" in q else None,
                     inspection_uuid=UUID(q["inspection"]) if "inspection" in q else None, template_id=q.get("template", ""),
                     item_key=q.get("item", ""), lat=num("lat"), lon=num("lon"), accuracy_m=num("accuracy"),
                     coord_system=q.get("coord", "wgs84"), captured_at=when("captured_at"), exif_lat=num("exif_lat"),
                     exif_lon=num("exif_lon"), exif_time=when("exif_time"), exif_offset=q.get("exif_offset"))


async def import_file(path: Path, username: str | None = None) -> list[tuple[str, str, str]]:
    """(kind, uuid, outcome) per item. The file's own user is used unless ``username`` names the same one."""
    from server.inspections import service as inspections
    from server.inspections.schemas import InspectionPut
    from server.issues import service as issues
    from server.issues.schemas import RectificationIn
    from server.photos import service as photos

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise Invalid("bad_file", f"无法读取导出文件：{exc}") from exc
    if data.get("format") != FORMAT:
        raise Invalid("bad_file", f"不是督查应用导出的未同步数据文件（format 应为 {FORMAT}）")
    owner = (data.get("user") or {}).get("username")
    if username and owner and username != owner:
        raise Invalid("wrong_user", f"文件属于用户 {owner}，不能以 {username} 的身份导入")
    p = await principal(str(username or owner or ""))
    results = []
    for photo in data.get("photos", []):
        if not photo.get("jpeg_base64"):
            continue
        raw = base64.b64decode(photo["jpeg_base64"])
        try:
            await photos.put(p, UUID(photo["uuid"]), raw, _meta(photo, hashlib.sha256(raw).hexdigest()))
            results.append(("photo", photo["uuid"], "ok"))
        except DomainError as exc:
            results.append(("photo", photo["uuid"], f"{exc.code}: {exc.message}"))
    for item in sorted(data.get("outbox", []), key=lambda i: i.get("created_at", "")):
        try:
            if item["kind"] == "inspection":
                await inspections.put(p, UUID(item["uuid"]), msgspec.convert(item["body"], InspectionPut))
            elif item["kind"] == "rectification":
                await issues.rectify(p, int(item["issue_id"]), msgspec.convert(item["body"], RectificationIn))
            else:
                continue
            results.append((item["kind"], item["uuid"], "ok"))
        except (DomainError, msgspec.ValidationError) as exc:
            results.append((item["kind"], item["uuid"], _refusal(exc)))
    return results


def _refusal(exc: Exception) -> str:
    """Why an item was not imported, every problem on its own line (where to mend it: template / item)."""
    if not isinstance(exc, DomainError):
        return f"invalid_body: {exc}"
    problems = exc.detail if isinstance(exc.detail, list) else []
    lines = [f"\n    - {p.get('template', '')}/{p.get('item', '')}：{p.get('message', '')}" for p in problems if isinstance(p, dict)]
    if not lines:
        return f"{exc.code}: {exc.message}"
    return f"{exc.code}: 共 {len(lines)} 处问题，未导入（其余各项照常导入）：{''.join(lines)}"
