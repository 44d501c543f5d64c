"""Issue numbers (问题编号): readable, unique for ever, the same in every ledger and every month.

County abbreviation, the year the issue was found (Asia/Shanghai), a sequence per county and year:
盐湖-2026-0057. Given inside the raising transaction from a counter row that the UPDATE locks, so
two issues raised at once never share a number (and a UNIQUE index stands behind it).
"""

from __future__ import annotations

from datetime import datetime

from server.issues.tables import IssueCounter
from server.lib import clock
from server.sites.tables import County


def abbreviation(name: str) -> str:
    """盐湖区 -> 盐湖, 永济市 -> 永济, 绛县 -> 绛县 (a one-character name keeps its suffix)."""
    return name[:-1] if len(name) > 2 and name[-1] in "区市县旗" else name


async def next_number(county_id: int, found_at: datetime) -> str:
    year = clock.local(found_at).year
    scope = f"{county_id}/{year}"
    await IssueCounter.insert(IssueCounter(scope=scope, last=0)).on_conflict(action="DO NOTHING")
    rows = await IssueCounter.update({IssueCounter.last: IssueCounter.last + 1}).where(
        IssueCounter.scope == scope).returning(IssueCounter.last)
    county = await County.select(County.name).where(County.id == county_id).first()
    return f"{abbreviation(county['name'])}-{year}-{rows[0]['last']:04d}"
