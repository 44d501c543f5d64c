"""`ducha demo`: invented sites, a user per role and county, and a past with issues in every state."""

from server.audit.service import verify
from server.demo.service import load_demo
from server.inspections.tables import Inspection
from server.issues.tables import Issue, Rectification
from server.photos.tables import Photo
from server.sites.tables import Site


async def test_demo_loads_a_realistic_past_once(world):
    counts = await load_demo()
    assert counts["sites"] == 40 and counts["visits"] == 36 and counts["issues"] > 30
    assert await Site.count().where(Site.invented == True) == 40
    assert await Site.count().where((Site.invented == True) & (Site.registered_people < 100)) > 0
    assert await Site.count().where((Site.invented == True) & (Site.registered_people >= 800)) > 0
    states = {r["state"] for r in await Issue.select(Issue.state)}
    assert states == {"open", "rectifying", "submitted", "closed"}
    assert await Rectification.count().where(Rectification.outcome == "rejected") > 0
    assert await Photo.count() > counts["issues"]
    months = {r["submitted_at"].month for r in await Inspection.select(Inspection.submitted_at)}
    assert len(months) == 6
    assert counts["notices"] > 0  # the demo's overdue issues: the phones show 提醒 at once
    assert (await verify()).ok
    again = await load_demo()
    assert again == {"sites": 0, "users": 0, "visits": 0, "issues": 0, "notices": 0}  # today's notices went out the first time
