"""Issue numbers for the issues raised before numbers existed, and round numbers unique per issue.

Numbers go by county and by the year (Asia/Shanghai) each issue was found, in the order found:
盐湖-2026-0001, 盐湖-2026-0002 ... The counters are set to the last number given.
"""

from datetime import timedelta, timezone

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-01T03:21:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "number existing issues; issue numbers and round numbers per issue unique"

SHANGHAI = timezone(timedelta(hours=8))


class Issue(Table, tablename="issue"):
    pass


def abbreviation(name: str) -> str:
    """盐湖区 -> 盐湖, 永济市 -> 永济, 绛县 -> 绛县 (a one-character name keeps its suffix)."""
    return name[:-1] if len(name) > 2 and name[-1] in "区市县旗" else name


async def number_existing() -> None:
    rows = await Issue.raw(
        "SELECT issue.id, issue.county, issue.found_at, county.name FROM issue "
        "JOIN county ON county.id = issue.county WHERE issue.number IS NULL ORDER BY issue.found_at, issue.id")
    last: dict[tuple[int, int], int] = {}
    for row in rows:
        found = row["found_at"]
        if found.tzinfo is None:
            found = found.replace(tzinfo=timezone.utc)
        year = found.astimezone(SHANGHAI).year
        key = (row["county"], year)
        last[key] = last.get(key, 0) + 1
        number = f"{abbreviation(row['name'])}-{year}-{last[key]:04d}"
        await Issue.raw("UPDATE issue SET number = {} WHERE id = {}", number, row["id"])
    for (county, year), n in last.items():
        await Issue.raw("INSERT INTO issue_counter (scope, last) VALUES ({}, {})", f"{county}/{year}", n)


async def unique_indexes() -> None:
    # SQLite cannot add a UNIQUE column: the uniqueness of numbers is an index of its own
    await Issue.raw("CREATE UNIQUE INDEX issue_number_unique ON issue (number)")
    await Issue.raw("CREATE UNIQUE INDEX rectification_issue_round ON rectification (issue, round)")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="issues", description=DESCRIPTION)
    manager.add_raw(number_existing)
    manager.add_raw(unique_indexes)
    return manager
