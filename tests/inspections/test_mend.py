"""A visit the server refuses for its content is mended and sent again under the same UUID: taken
exactly once, with the photos that arrived while it was refused; the export's import names every
problem of a refused visit and imports the rest."""

import base64
import hashlib
import json

import pytest

from server.inspections.rescue import import_file
from server.inspections.tables import Inspection
from server.issues.tables import Issue
from server.photos.tables import Photo
from tests.inspections.helpers import body, check_items, new_uuid, upload_photo, visit_naming

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock

A1 = (35.03, 111.01)


async def test_a_refused_visit_is_mended_and_taken_once_with_the_photos_that_came_first(world):
    client = await world.client("inspector")
    first, second = (await upload_photo(client, world.sites["a1"]), await upload_photo(client, world.sites["a1"]))
    data = visit_naming(world.sites["a1"], *A1, first, second)
    uuid = new_uuid()
    for photo in (first, second):  # the photos go up for this visit before it is accepted
        await Photo.update({Photo.inspection_uuid: uuid}).where(Photo.uuid == photo)
    required = next(k for k in check_items(n=5) if k not in data["photos"]["fire-safety"])
    good = data["answers"]["fire-safety"][required]
    data["answers"]["fire-safety"][required] = 17  # a wrong type
    data["answers"]["fire-safety"]["no_such_item"] = "pass"
    r = await client.put(f"/api/inspections/{uuid}", json=data)
    assert r.status_code == 422 and r.json()["error"] == "answers_invalid"
    problems = r.json()["detail"]
    assert [p["item"] for p in problems] == ["no_such_item", required], "every problem, with where it is"
    assert r.json()["message"].startswith("答案有 2 处问题：") and all(p["message"] in r.json()["message"] for p in problems)
    assert await Inspection.count() == 0 and await Issue.count() == 0

    del data["answers"]["fire-safety"]["no_such_item"]
    data["answers"]["fire-safety"][required] = good
    answers = [await client.put(f"/api/inspections/{uuid}", json=data) for _ in range(2)]  # mended, then a retry
    assert [a.status_code for a in answers] == [200, 200] and answers[0].json() == answers[1].json()
    assert answers[0].json()["uuid"] == uuid and answers[0].json()["revision"] == 1
    assert await Inspection.count() == 1 and await Issue.count() == 2
    joined = await Photo.select(Photo.uuid).where(Photo.inspection_uuid == uuid)
    assert {str(p["uuid"]) for p in joined} == {first, second}


async def test_the_import_names_every_problem_and_imports_the_rest(world, tmp_path):
    client = await world.client("inspector")
    await client.get("/api/me")
    refused, accepted = body(world.sites["a1"], *A1), body(world.sites["a1"], *A1)
    keys = check_items(n=2)
    refused["answers"]["fire-safety"][keys[0]] = "maybe"
    refused["answers"]["fire-safety"][keys[1]] = 3
    raw = b"not a photo"
    export = {"format": "ducha-unsynced-1", "user": {"username": "inspector"}, "photos": [
        {"uuid": new_uuid(), "jpeg_base64": base64.b64encode(raw).decode(), "query": {"sha256": hashlib.sha256(raw).hexdigest()}}],
        "outbox": [{"kind": "inspection", "uuid": new_uuid(), "body": refused, "created_at": "1"},
                   {"kind": "inspection", "uuid": new_uuid(), "body": accepted, "created_at": "2"}]}
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    results = await import_file(path)
    outcome = {uuid: text for kind, uuid, text in results if kind == "inspection"}
    bad = outcome[export["outbox"][0]["uuid"]]
    assert bad.startswith("answers_invalid: 共 2 处问题") and f"fire-safety/{keys[0]}" in bad and f"fire-safety/{keys[1]}" in bad
    assert outcome[export["outbox"][1]["uuid"]] == "ok"
    assert await Inspection.count() == 1, "the rest imported, nothing of the refused one"
