"""Deadlines, overdue and the escalation ladder: the one place they are defined, for Python and SQL.

An issue is *overdue* from the day after its deadline (整改时限) while it is not closed; on the
deadline day itself it is due (到期), not late. The ladder by days past the deadline: 0 到期,
3 催办 (the county is pressed), 7 报市办 (the city office is told). All days are Asia/Shanghai
dates (``clock.today()``); nothing here is stored, it is computed on the day asked about.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

#: escalation ladder by days past the deadline: (days, level, name)
LADDER = ((7, 3, "报市办"), (3, 2, "催办"), (0, 1, "到期"))
#: days past the deadline at which the city office is told (the inbox's 已报市办)
CITY_OFFICE_DAYS = LADDER[0][0]


def days_late(deadline: date, day: date) -> int:
    """Days past the deadline on ``day`` (0 or less: not late)."""
    return (day - deadline).days


def is_overdue(deadline: date, day: date, state: str) -> bool:
    """Not closed and past the deadline day."""
    return state != "closed" and days_late(deadline, day) > 0


def escalation(deadline: date, day: date, state: str) -> tuple[int, str]:
    """(level, name) of an issue on ``day``: 0 before its deadline or when closed, 1 on and after
    it, 2 from three days past it, 3 (the city office is told) from seven days past it."""
    if state == "closed":
        return 0, ""
    late = days_late(deadline, day)
    for days, level, name in LADDER:
        if late >= days:
            return level, name
    return 0, ""


# --- the same rules as query clauses (Piccolo columns of the issue table) --------------------


def overdue_where(deadline: Any, state: Any, day: date):
    """Issues overdue on ``day``."""
    return (state != "closed") & (deadline < day)


def not_overdue_where(deadline: Any, state: Any, day: date):
    """Issues not overdue on ``day`` (closed, or the deadline not yet passed)."""
    return (state == "closed") | (deadline >= day)


def escalated_where(deadline: Any, state: Any, day: date, days: int = CITY_OFFICE_DAYS):
    """Issues at least ``days`` past their deadline on ``day`` and not closed (default: 报市办)."""
    return (state != "closed") & (deadline <= day - timedelta(days=days))
