"""Resumable photo uploads: pieces at offsets over several requests, a cut keeps what arrived, the
SHA-256 is checked at the end, and the partial area is each user's own and cleaned."""

import asyncio
import hashlib
import os
import time

import httpx

from server.photos.service import partials
from server.photos.tables import Photo
from tests.inspections.helpers import new_uuid
from tests.photos.fixtures import FIXTURES

DATA = (FIXTURES / "gps" / "DSCN0012.jpg").read_bytes()
SHA = hashlib.sha256(DATA).hexdigest()


async def _state(client, uuid, data=DATA, sha=SHA):
    return await client.get(f"/api/photo-uploads/{uuid}", params={"sha256": sha, "size": len(data)})


async def _piece(client, uuid, offset, chunk, data=DATA, sha=SHA, **params):
    return await client.patch(f"/api/photo-uploads/{uuid}", content=chunk, headers={"Content-Type": "application/octet-stream"},
                              params={"sha256": sha, "size": len(data), "offset": offset, **params})


async def test_a_photo_sent_in_pieces_is_stored_once_its_last_byte_is_in(world):
    client = await world.client("inspector")
    uuid = new_uuid()
    assert (await _state(client, uuid)).json() == {"offset": 0, "size": len(DATA), "complete": False, "photo": None}
    third = len(DATA) // 3
    first = await _piece(client, uuid, 0, DATA[:third])
    assert first.status_code == 200 and first.json()["offset"] == third and not first.json()["complete"]
    assert await Photo.count() == 0
    assert (await _state(client, uuid)).json()["offset"] == third
    last = await _piece(client, uuid, third, DATA[third:], site_id=world.sites["a1"], lat=35.03, lon=111.01)
    out = last.json()
    assert last.status_code == 200 and out["complete"] and out["offset"] == len(DATA), last.text
    assert out["photo"]["sha256"] == SHA and out["photo"]["site_id"] == world.sites["a1"] and out["photo"]["width"] == 640
    assert await Photo.count() == 1 and list(partials().root.glob(f"*/{uuid}.*")) == []
    # the answer to the last piece was lost: asking again, or sending it again, changes nothing
    assert (await _state(client, uuid)).json()["complete"] is True
    again = await _piece(client, uuid, third, DATA[third:])
    assert again.json()["complete"] and await Photo.count() == 1


async def test_a_cut_connection_keeps_what_arrived_and_the_phone_goes_on_from_there(world):
    client = await world.client("inspector")
    uuid = new_uuid()

    async def cut_after(n):
        yield DATA[:n // 2]
        yield DATA[n // 2:n]
        raise httpx.ReadError("the uplink went down")

    try:  # the in-process transport hands the cut to the app as an error of the body's stream
        r = await client.patch(f"/api/photo-uploads/{uuid}", content=cut_after(5000),
                               params={"sha256": SHA, "size": len(DATA), "offset": 0})
        assert r.status_code >= 400
    except httpx.ReadError:
        pass
    have = (await _state(client, uuid)).json()["offset"]
    assert have == 5000  # nothing sent twice
    done = await _piece(client, uuid, have, DATA[have:])
    assert done.json()["complete"] and done.json()["photo"]["sha256"] == SHA


async def test_a_piece_past_where_the_upload_stands_is_refused_with_its_offset(world):
    client = await world.client("inspector")
    uuid = new_uuid()
    await _piece(client, uuid, 0, DATA[:1000])
    for offset in (1001, 2000):
        r = await _piece(client, uuid, offset, DATA[offset:offset + 100])
        assert r.status_code == 409 and r.json()["error"] == "upload_offset" and r.json()["detail"]["offset"] == 1000
        assert "1000" in r.json()["message"]
    assert (await _state(client, uuid)).json()["offset"] == 1000


async def test_a_piece_sent_again_from_its_start_adds_only_what_is_missing(world):
    """The browser resends a piece whose connection was cut from its start: the server skips what
    it holds already."""
    client = await world.client("inspector")
    uuid = new_uuid()
    await _piece(client, uuid, 0, DATA[:1000])
    inside = await _piece(client, uuid, 200, DATA[200:800])  # all of it held already
    assert inside.status_code == 200 and inside.json()["offset"] == 1000
    overlapping = await _piece(client, uuid, 500, DATA[500:3000])
    assert overlapping.json()["offset"] == 3000
    done = await _piece(client, uuid, 0, DATA)
    assert done.json()["complete"] and done.json()["photo"]["sha256"] == SHA


async def test_bytes_that_do_not_match_the_sha256_are_dropped_and_nothing_is_stored(world):
    client = await world.client("inspector")
    uuid = new_uuid()
    forged = DATA[:-10] + b"0123456789"
    r = await _piece(client, uuid, 0, forged)
    assert r.status_code == 422 and r.json()["error"] == "sha256_mismatch"
    assert await Photo.count() == 0 and (await _state(client, uuid)).json()["offset"] == 0
    too_long = await _piece(client, uuid, 0, DATA + b"x")
    assert too_long.status_code == 422 and too_long.json()["error"] == "upload_too_long"
    assert (await _state(client, uuid)).json()["offset"] == 0


async def test_a_partial_upload_is_its_owners_alone(world):
    mine, other = await world.client("inspector"), await world.client("county_a")
    uuid = new_uuid()
    await _piece(mine, uuid, 0, DATA[:3000])
    assert (await _state(other, uuid)).json()["offset"] == 0  # another user sees nothing of it
    r = await _piece(other, uuid, 0, DATA)  # and cannot add to it: their own upload, then the photo is theirs
    assert r.json()["complete"]
    late = await _piece(mine, uuid, 3000, DATA[3000:])  # the UUID is taken by someone else's photo now
    assert late.status_code == 404 and await Photo.count() == 1


async def test_a_replaced_photo_starts_its_upload_again(world):
    client = await world.client("inspector")
    uuid = new_uuid()
    await _piece(client, uuid, 0, DATA[:3000])
    other = (FIXTURES / "gps" / "DSCN0010.jpg").read_bytes()
    sha = hashlib.sha256(other).hexdigest()
    assert (await _state(client, uuid, other, sha)).json()["offset"] == 0
    assert (await _state(client, uuid)).json()["offset"] == 0  # the first one's bytes are gone


async def test_sizes_and_uuids_are_checked_before_anything_is_written(world):
    client = await world.client("inspector")
    big = await client.patch(f"/api/photo-uploads/{new_uuid()}", content=b"x",
                             params={"sha256": SHA, "size": 10**9, "offset": 0})
    assert big.status_code == 413 and "MB" in big.json()["message"]
    v1 = await _piece(client, "6ba7b810-9dad-11d1-80b4-00c04fd430c8", 0, DATA[:10])
    assert v1.status_code == 422 and v1.json()["error"] == "bad_uuid"
    for bad in ({"offset": -1}, {"size": 0}, {"offset": 2**63}):
        r = await client.patch(f"/api/photo-uploads/{new_uuid()}", content=b"x",
                               params={"sha256": SHA, "size": 10, "offset": 0, **bad})
        assert r.status_code == 400, (bad, r.text)
    assert await Photo.count() == 0


async def test_two_pieces_at_once_one_is_taken(world):
    client = await world.client("inspector")
    uuid = new_uuid()
    results = await asyncio.gather(*[_piece(client, uuid, 0, DATA[:4000]) for _ in range(4)])
    codes = sorted(r.status_code for r in results)
    assert codes.count(200) >= 1 and set(codes) <= {200, 409}
    assert (await _state(client, uuid)).json()["offset"] == 4000


def test_abandoned_partial_uploads_are_removed_after_a_day(tmp_path):
    from server.photos.uploads import PartialUploads, Upload

    area = PartialUploads(tmp_path)
    old, fresh = new_uuid(), new_uuid()
    for u in (old, fresh):
        asyncio.run(_append(area, u))
    now = time.time()  # file times are set here, not left to the kernel: faketime runs this suite at other instants
    os.utime(area.root / "7" / f"{old}.part", (now - 25 * 3600, now - 25 * 3600))
    os.utime(area.root / "7" / f"{fresh}.part", (now - 3600, now - 3600))
    assert area.prune(now=now) == 1
    assert area.offset(7, fresh, Upload(SHA, len(DATA))) == 100
    assert not (area.root / "7" / f"{old}.json").exists()


async def _append(area, uuid):
    from server.photos.uploads import Upload

    async def one():
        yield DATA[:100]

    await area.append(7, uuid, Upload(SHA, len(DATA)), 0, one(), 10**7)
