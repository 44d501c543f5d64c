"""Every version of every template, and what changed between two of them, item by item."""

import pytest

from server.checklists.diff import diff
from server.checklists.loader import registry


async def test_the_catalog_lists_every_version_of_every_template(world):
    client = await world.client("county_a")
    r = await client.get("/api/templates/catalog")
    assert r.status_code == 200
    fire = next(t for t in r.json() if t["id"] == "fire-safety")
    assert fire["versions"] == [1, 2, 3] and fire["latest"] == 3 and fire["items"] == len(registry().get("fire-safety", 3).items())
    assert len(r.json()) == 7


async def test_the_diff_names_what_was_added_removed_and_changed(world):
    client = await world.client("admin")
    r = await client.get("/api/templates/fire-safety/diff", params={"from": 2, "to": 3})
    assert r.status_code == 200, r.text
    d = r.json()
    assert (d["from_version"], d["to_version"]) == (2, 3)
    added = {i["key"] for i in d["added"]}
    assert "mini_station_photo" in added
    new = registry().get("fire-safety", 3)
    assert len(new.items()) == len(d["added"]) + len(d["changed"]) + d["unchanged"]
    for change in d["changed"]:
        assert change["fields"] and all(f["before"] != f["after"] for f in change["fields"])
    # the same version against itself: nothing changed
    same = (await client.get("/api/templates/fire-safety/diff", params={"from": 3, "to": 3})).json()
    assert same["added"] == same["removed"] == same["changed"] == same["template"] == [] and same["unchanged"] == len(new.items())
    missing = await client.get("/api/templates/fire-safety/diff", params={"from": 2, "to": 99})
    assert missing.status_code == 404 and missing.json()["error"] == "unknown_template"


@pytest.mark.own_clock
def test_a_changed_field_shows_its_before_and_after():
    import msgspec

    old = registry().get("fire-safety", 3)
    data = msgspec.to_builtins(old)
    first = data["sections"][0]["items"][0]
    first["text"] = first["text"] + "（修订）"
    data["sections"][0]["items"].pop(1)
    data["version"] = 4
    from server.checklists.model import Template

    new = msgspec.convert(data, Template)
    d = diff(old, new)
    assert d["changed"] == [{"key": first["key"], "section": data["sections"][0]["title"], "text": first["text"],
                             "fields": [{"field": "text", "before": old.sections[0].items[0].text, "after": first["text"]}]}]
    assert [i["key"] for i in d["removed"]] == [old.sections[0].items[1].key] and d["added"] == []
