"""Building inspection bodies from the shipped templates."""

from __future__ import annotations

import uuid as uuidlib
from datetime import timedelta
from typing import Any

from server.checklists.loader import registry
from server.demo.answers import passing_answers as quiet_answers
from server.lib import clock

PENDING_SHA256 = "ab" * 32  # the declared hash of photos a body names before they are uploaded


def new_uuid() -> str:
    return str(uuidlib.uuid4())


def passing_answers(template, site_attrs: dict[str, Any]) -> dict[str, Any]:
    """An answer for every applicable item that passes every rule, on the clock's day; photo items
    name a (not yet uploaded) photo."""
    answers = quiet_answers(template, site_attrs, clock.local(clock.now()).date())
    for _, item in template.items():
        if item.type == "photo" and item.key in answers:
            answers[item.key] = [new_uuid()]
    return answers


def body(site_id: int, site_lat: float, site_lon: float, template_id: str = "fire-safety", *,
         state: str = "submitted", fail: list[str] | None = None, site_attrs: dict | None = None, **extra) -> dict:
    template = registry().latest(template_id)
    answers = passing_answers(template, site_attrs or {"registered_people": 650})
    photos: dict[str, list[str]] = {}
    for key in fail or []:
        answers[key] = "fail"
        photos[key] = [new_uuid()]
    named = [u for uuids in photos.values() for u in uuids]
    named += [u for _, item in template.items() if item.type == "photo" for u in answers.get(item.key, [])]
    now = clock.now()
    data = {
        "site_id": site_id,
        "templates": [{"id": template.id, "version": template.version}],
        "state": state,
        "arrival": {"at": (now - timedelta(minutes=30)).isoformat(), "lat": site_lat + 0.0005, "lon": site_lon,
                    "accuracy_m": 12.0, "source": "browser", "coord_system": "wgs84"},
        "answers": {template.id: answers},
        "photos": {template.id: photos} if photos else {},
        "notes": "四不两直暗访",
        "started_at": (now - timedelta(minutes=40)).isoformat(),
        # the photos are named before they are uploaded, as a phone may: declared with their hash
        "photo_hashes": {u: PENDING_SHA256 for u in named},
    }
    data.update(extra)
    return data


def visit_naming(site_id: int, site_lat: float, site_lon: float, *photos: str) -> dict:
    """A submitted fire-safety visit whose failed items name these (uploaded) photos as evidence."""
    keys = check_items(n=len(photos))
    data = body(site_id, site_lat, site_lon, fail=keys)
    generated = {u for uuids in data["photos"]["fire-safety"].values() for u in uuids}
    data["photos"] = {"fire-safety": {k: [u] for k, u in zip(keys, photos)}}
    data["photo_hashes"] = {u: h for u, h in data["photo_hashes"].items() if u not in generated}
    return data


def check_items(template_id: str = "fire-safety", n: int = 2) -> list[str]:
    """Keys of check items that raise an issue and apply everywhere."""
    t = registry().latest(template_id)
    return [i.key for _, i in t.items() if i.type == "check" and i.raises_issue and i.applies_when is None][:n]


async def upload_photo(client, site_id: int | None = None, name: str = "gps/DSCN0010.jpg", **params) -> str:
    """A real camera photo uploaded by ``client`` (``params``: lat, lon, accuracy...): its UUID."""
    import hashlib

    from tests.photos.fixtures import photo

    uuid, data = new_uuid(), photo(name)
    params = {"sha256": hashlib.sha256(data).hexdigest(), **({"site_id": site_id} if site_id else {}), **params}
    r = await client.put(f"/api/photos/{uuid}", content=data, params=params, headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 200, r.text
    return uuid
