"""The ranges a number or a date may take at the edge (path, query, body), so that a value no
database column or calendar can hold is a clear 400, never a 500 from deep inside.

Row ids are PostgreSQL ``integer``/``serial`` (up to 2^31 - 1); dates are those a resettlement
programme can mean (2000-01-01 to 2099-12-31: nothing before the programme, nothing a person
would plan beyond the century)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec
from litestar.params import Parameter

from server.lib.errors import Invalid

ID_MAX = 2**31 - 1
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)

#: a row id in a JSON body
Id = Annotated[int, msgspec.Meta(ge=1, le=ID_MAX)]
#: a row id in a path
PathId = Annotated[int, Parameter(ge=1, le=ID_MAX)]
#: an optional row id in a query string
QueryId = Annotated[int | None, Parameter(ge=1, le=ID_MAX)]


def _out_of_range(value: date | datetime | None, name: str) -> str | None:
    """The message for a date outside 2000-2099, or None when it is within (or absent)."""
    day = value.date() if isinstance(value, datetime) else value
    if day is None or FIRST_DAY <= day <= LAST_DAY:
        return None
    return f"{name}（{day.isoformat()}）超出范围：须在 {FIRST_DAY.year} 年至 {LAST_DAY.year} 年之间"


def check_day(value: date | datetime | None, name: str) -> None:
    """422 ``date_out_of_range`` for a date outside 2000-2099 (``name`` is the field, in Chinese)."""
    message = _out_of_range(value, name)
    if message:
        raise Invalid("date_out_of_range", message, detail={"field": name, "min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()})


def days_in_range(struct: object, names: dict[str, str]) -> None:
    """For a body's ``__post_init__``: its date fields (attribute: Chinese name) within 2000-2099;
    the ValueError becomes a 400 naming the field."""
    for attr, name in names.items():
        message = _out_of_range(getattr(struct, attr), name)
        if message:
            raise ValueError(message)


#: a month of the programme, "YYYY-MM" (2000-01 to 2099-12); services answer 422 with their own code otherwise
MONTH_PATTERN = r"^(20\d\d)-(0[1-9]|1[0-2])$"

#: an offset into a list
Offset = Annotated[int, Parameter(ge=0, le=ID_MAX)]
