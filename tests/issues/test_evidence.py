"""Evidence cannot be invented: every photo a visit, a round or an issue names is the caller's, uploaded
or declared with its hash; closing (销号) needs the after-photos really there, or a recorded reason."""

import hashlib

from server.inspections.tables import Inspection
from server.issues.tables import Issue, Rectification
from server.photos.tables import PhotoClaim
from tests.inspections.helpers import body, check_items, new_uuid, upload_photo
from tests.issues.test_lifecycle import A1, _issue, _round
from tests.photos.fixtures import photo


async def test_a_visit_naming_an_undeclared_photo_that_never_arrived_is_refused_and_nothing_written(world):
    inspector = await world.client("inspector")
    data = body(world.sites["a1"], *A1, fail=check_items(n=2))
    data["photo_hashes"] = {}
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=data)
    assert r.status_code == 422 and r.json()["error"] == "photo_unknown" and "尚未上传" in r.json()["message"]
    assert await Inspection.count() == 0 and await Issue.count() == 0 and await PhotoClaim.count() == 0


async def test_someone_elses_photo_is_not_evidence(world):
    site = await world.client("site_a1")
    theirs = await upload_photo(site, world.sites["a1"])
    inspector = await world.client("inspector")
    item = check_items(n=1)[0]
    data = body(world.sites["a1"], *A1, fail=[item])
    data["photos"] = {"fire-safety": {item: [theirs]}}
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=data)
    assert r.status_code == 422 and r.json()["error"] == "photo_not_yours"
    assert await Inspection.count() == 0

    issue = await _issue(world)
    r = await (await world.client("county_a")).post(f"/api/issues/{issue}/rectifications", json=_round(theirs))
    assert r.status_code == 422 and r.json()["error"] == "photo_not_yours"
    assert await Rectification.count() == 0 and (await Issue.select(Issue.state).first())["state"] == "open"


async def test_a_declared_photo_is_pending_until_that_very_file_arrives_from_that_user(world):
    inspector = await world.client("inspector")
    item = check_items(n=1)[0]
    uuid, data = new_uuid(), photo("gps/DSCN0010.jpg")
    visit = body(world.sites["a1"], *A1, fail=[item])
    generated = set(visit["photos"]["fire-safety"][item])
    visit["photos"] = {"fire-safety": {item: [uuid]}}
    visit["photo_hashes"] = {u: h for u, h in visit["photo_hashes"].items() if u not in generated} | {
        uuid: hashlib.sha256(data).hexdigest()}  # (the photo item's own photo stays declared)
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=visit)
    assert r.status_code == 200, r.text
    issue_id = r.json()["issues"][0]["id"]
    assert (await inspector.get(f"/api/issues/{issue_id}")).json()["photos_pending"] == [uuid]

    other = photo("gps/DSCN0012.jpg")  # another picture under the declared UUID
    put = lambda client, body: client.put(f"/api/photos/{uuid}", content=body,
                                          params={"sha256": hashlib.sha256(body).hexdigest()}, headers={"Content-Type": "application/octet-stream"})
    r = await put(inspector, other)
    assert r.status_code == 409 and r.json()["error"] == "photo_claim_mismatch"
    r = await put(await world.client("admin"), data)  # the right file from someone else
    assert r.status_code == 409
    assert (await put(inspector, data)).status_code == 200
    assert (await inspector.get(f"/api/issues/{issue_id}")).json()["photos_pending"] == []


async def test_closing_waits_for_the_after_photos_or_a_reason(world):
    issue = await _issue(world)
    site = await world.client("site_a1")
    round_ = _round()  # its after-photo is declared, not uploaded yet
    assert (await site.post(f"/api/issues/{issue}/rectifications", json=round_)).status_code == 200
    inspector = await world.client("inspector")
    r = await inspector.post(f"/api/issues/{issue}/verification", json={"accept": True, "comment": "已整改"})
    assert r.status_code == 422 and r.json()["error"] == "after_photo_pending" and r.json()["detail"]["photos_pending"] == round_["photos"]
    assert (await Issue.select(Issue.state, Issue.closed_at).first()) == {"state": "submitted", "closed_at": None}
    r = await inspector.post(f"/api/issues/{issue}/verification", json={"accept": True, "no_photo_reason": "照片已当面核看，手机故障未能上传"})
    assert r.status_code == 200 and r.json()["state"] == "closed"
    assert "无整改后照片：照片已当面核看" in r.json()["rounds"][0]["outcome_reason"]


async def test_a_department_sees_the_evidence_of_the_issues_assigned_to_it(world):
    inspector = await world.client("inspector")
    evidence = await upload_photo(inspector, world.sites["a1"])
    item = check_items(n=1)[0]  # a fire item: assigned to 消防
    data = body(world.sites["a1"], *A1, fail=[item])
    data["photos"] = {"fire-safety": {item: [evidence]}}
    assert (await inspector.put(f"/api/inspections/{new_uuid()}", json=data)).status_code == 200
    for user, status in (("fire_a", 200), ("fire_city", 200), ("site_b1", 404)):
        client = await world.client(user)
        assert (await client.get(f"/api/photos/{evidence}/thumb")).status_code == status, user


async def test_a_photo_named_with_another_hash_than_its_file_is_refused_and_nothing_written(world):
    """A body that names a photo with a SHA-256 other than the file's (uploaded, or declared before)
    is refused with photo_hash_mismatch, for a visit and for a round, and nothing of it is kept."""
    inspector = await world.client("inspector")
    uploaded = await upload_photo(inspector, world.sites["a1"])
    item = check_items(n=1)[0]
    visit = body(world.sites["a1"], *A1, fail=[item])
    visit["photos"]["fire-safety"][item] = [uploaded]
    visit["photo_hashes"][uploaded] = hashlib.sha256(b"some other picture").hexdigest()
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=visit)
    assert r.status_code == 422 and r.json()["error"] == "photo_hash_mismatch" and uploaded in r.json()["message"]
    assert await Inspection.count() == 0 and await Issue.count() == 0

    issue = await _issue(world)
    site = await world.client("site_a1")
    declared = _round()  # a photo declared, not yet uploaded: its claim is kept with the round
    assert (await site.post(f"/api/issues/{issue}/rectifications", json=declared)).status_code == 200
    (after,) = declared["photos"]
    inspector_back = await inspector.post(f"/api/issues/{issue}/verification", json={"accept": False, "comment": "未整改到位"})
    assert inspector_back.status_code == 200, inspector_back.text
    again = _round(after, photo_hashes={after: "cd" * 32})  # the same photo, now said to be another file
    r = await site.post(f"/api/issues/{issue}/rectifications", json=again)
    assert r.status_code == 422 and r.json()["error"] == "photo_hash_mismatch"
    assert await Rectification.count().where(Rectification.issue == issue) == 1
