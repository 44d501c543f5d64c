"""An invented past for the demo: six months of unannounced visits, their photos, and issues
in every state (open, rectifying, awaiting verification, closed after one or two rounds).

Everything goes through the real services with the clock set back, so the audit chain,
deadlines and photo checks are exactly what real use would produce.
"""

from __future__ import annotations

import hashlib
import io
import random
import uuid as uuidlib
from datetime import date, datetime, timedelta

from PIL import Image, ImageDraw

from server.accounts.guards import Principal, principal_of
from server.accounts.tables import User
from server.checklists.evaluation import evaluate, template_applies
from server.checklists.loader import registry
from server.demo.answers import passing_answers
from server.inspections import service as inspections
from server.inspections.schemas import Arrival, InspectionPut, TemplateRef
from server.inspections.tables import Inspection
from server.issues import service as issues
from server.issues.schemas import RectificationIn, VerificationIn
from server.lib import clock
from server.photos import service as photos
from server.sites import service as sites

SEED = 20211
MONTHS = [(2026, m) for m in range(6, 12)]
VISITS_PER_MONTH = 6


async def _principal(username: str) -> Principal:
    return principal_of(await User.select().where(User.username == username).first())


def _picture(rng: random.Random, label: str) -> bytes:
    """A made-up evidence picture (demo only): coloured blocks and a caption, as a phone JPEG."""
    im = Image.new("RGB", (1200, 900), tuple(rng.randrange(90, 200) for _ in range(3)))
    draw = ImageDraw.Draw(im)
    for _ in range(12):
        x, y = rng.randrange(1100), rng.randrange(800)
        draw.rectangle((x, y, x + rng.randrange(40, 300), y + rng.randrange(40, 200)), fill=tuple(rng.randrange(256) for _ in range(3)))
    draw.text((40, 40), f"DEMO {label}", fill=(255, 255, 255))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=75)
    return buf.getvalue()


async def _photo(p: Principal, rng: random.Random, site, inspection: uuidlib.UUID | None, at: datetime, label: str) -> str:
    data = _picture(rng, label)
    uid = uuidlib.uuid4()
    meta = photos.PhotoMeta(sha256=hashlib.sha256(data).hexdigest(), site_id=site.id, inspection_uuid=inspection,
                            lat=site.lat + rng.uniform(-0.0008, 0.0008), lon=site.lon + rng.uniform(-0.0008, 0.0008),
                            accuracy_m=rng.choice([8.0, 12.0, 20.0]), captured_at=at)
    await photos.put(p, uid, data, meta)
    return str(uid)


def _answers(rng: random.Random, template, attrs: dict, day: date) -> tuple[dict, list[str]]:
    """Answers that pass every rule but a few check items failed on purpose (and what those failures
    bring into question answered too)."""
    answers = passing_answers(template, attrs, day)
    candidates = [i.key for _, i in template.items() if i.type == "check" and i.raises_issue and i.key in answers]
    chosen = rng.sample(candidates, k=min(len(candidates), rng.choice([0, 1, 1, 2, 2, 3])))
    answers = passing_answers(template, attrs, day, fixed=dict.fromkeys(chosen, "fail"))
    ev = evaluate(template, attrs, answers, strict=False, visit_date=day.isoformat())
    failing = [k for k, failed in ev.failed.items() if failed]  # the chosen ones, and any no value could pass
    return answers, failing


async def load_history() -> dict[str, int]:
    """Once: visits over six months with their photos and issue histories. Returns counts."""
    if await Inspection.count() > 0:
        return {"visits": 0, "issues": 0}
    rng = random.Random(SEED)
    reg = registry()
    inspectors = [await _principal("inspector"), await _principal("inspector2")]
    all_sites = (await sites.list_sites(inspectors[0], limit=500)).items
    manager = await _principal("site")
    home = next(s for s in all_sites if s.id == manager.site_id)  # the demo site manager sees issues too
    visits = raised = 0
    try:
        for year, month in MONTHS:
            for n in range(VISITS_PER_MONTH):
                site = home if n == 0 else rng.choice(all_sites)
                attrs = sites.rule_attributes(site)
                template = rng.choice([t for t in reg.all_latest() if template_applies(t, attrs)])
                p = rng.choice(inspectors)
                start = datetime(year, month, rng.randrange(1, 28), rng.randrange(9, 16), rng.randrange(60), tzinfo=clock.SHANGHAI)
                clock.freeze(start)
                answers, failing = _answers(rng, template, attrs, start.date())
                visit_id = uuidlib.uuid4()
                evidence = {}
                for key in failing:
                    clock.freeze(start + timedelta(minutes=rng.randrange(5, 40)))
                    evidence[key] = [await _photo(p, rng, site, visit_id, clock.now(), key)]
                for _, item in template.items():  # a photo item: a photo even where all is well
                    if item.type == "photo" and item.key in answers:
                        clock.freeze(start + timedelta(minutes=rng.randrange(5, 40)))
                        answers[item.key] = [await _photo(p, rng, site, visit_id, clock.now(), item.key)]
                clock.freeze(start + timedelta(minutes=55))
                out = await inspections.put(p, visit_id, InspectionPut(
                    site_id=site.id, templates=[TemplateRef(id=template.id, version=template.version)], state="submitted",
                    arrival=Arrival(at=start, lat=site.lat + rng.uniform(-0.0005, 0.0005), lon=site.lon + rng.uniform(-0.0005, 0.0005),
                                    accuracy_m=rng.choice([6.0, 10.0, 15.0])),
                    answers={template.id: answers}, photos={template.id: evidence} if evidence else {},
                    item_notes={template.id: {key: _note(rng) for key in failing}} if failing else {},
                    notes="（演示数据）四不两直暗访", started_at=start,
                ))
                visits += 1
                raised += sum(1 for issue in out.issues if not issue.refinding)
                for issue in out.issues:
                    if not issue.refinding:  # a re-finding goes on where its issue stands
                        await _progress(rng, issue.id, site, start, inspectors)
    finally:
        clock.freeze(None)
    return {"visits": visits, "issues": raised}


def _note(rng: random.Random) -> str:
    """Where the inspector saw it (invented)."""
    return rng.choice([f"{rng.randrange(1, 12)}号楼{rng.randrange(1, 4)}单元现场查看发现，已拍照取证",
                       f"{rng.randrange(1, 12)}号楼东侧公共区域，现场询问物业人员确认",
                       "查阅台账资料，近三个月无相关记录", "随机走访3户居民核实"])


async def _progress(rng: random.Random, issue_id: int, site, found: datetime, inspectors: list[Principal]) -> None:
    """Take one issue some way along its lifecycle, as the county team and an inspector would."""
    from server.demo.data import county_username

    fate = rng.choices(["open", "rectifying", "submitted", "closed", "closed_twice"], weights=[2, 2, 2, 4, 2])[0]
    if fate == "open":
        return
    county = await _principal(county_username(site.county_name))
    day = found + timedelta(days=rng.randrange(2, 10))
    clock.freeze(day)
    await issues.start(county, issue_id)
    if fate == "rectifying":
        return
    rounds = 2 if fate == "closed_twice" else 1
    for n in range(rounds):
        day += timedelta(days=rng.randrange(3, 12))
        clock.freeze(day)
        after = await _photo(county, rng, site, None, day, f"整改{n + 1}")
        await issues.rectify(county, issue_id, RectificationIn(
            uuid=uuidlib.uuid4(), measures=rng.choice(["已清理并建立长效巡查制度", "已更换并张贴检查记录", "已整改到位，落实专人负责"]),
            responsible_person=rng.choice(["张建国", "李秀英", "王志强", "赵丽"]), completed_on=clock.local(day).date(),
            photos=[uuidlib.UUID(after)],
        ))
        if fate == "submitted":
            return
        day += timedelta(days=rng.randrange(1, 6))
        clock.freeze(day)
        last = n == rounds - 1
        await issues.verify(rng.choice(inspectors), issue_id, VerificationIn(
            accept=last, comment="现场核查，整改到位，同意销号" if last else "整改不彻底，请补充完善后再报"))
