"""Visit plans and their planned visits."""

from typing import Any

from piccolo.columns import JSON, UUID, Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.column_types import ForeignKey, OnDelete
from piccolo.table import Table

from server.accounts.tables import User
from server.sites.tables import County, Site


class VisitPlan(Table, tablename="visit_plan"):
    """A month's draw: the city's (all sites) or a county's self-inspection plan (its sites)."""

    id: Any  # the primary key Piccolo adds (an annotation only, for type checkers)
    uuid = UUID(unique=True)
    month = Varchar(length=7, index=True)  # "YYYY-MM"
    scope = Varchar(length=8, default="city")  # city | county
    county = ForeignKey(references=County, null=True, on_delete=OnDelete.restrict, index=True)
    #: the seed of the draw: with the recorded weights, the draw can be repeated and checked
    seed = Varchar(length=32)
    #: every candidate site with its risk figures and weight, as drawn from
    weights = JSON(default=[])
    created_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    state = Varchar(length=10, default="active")  # active | cancelled
    #: why it was cancelled (or redrawn), by whom and when
    cancel_reason = Text(default="")
    cancelled_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)
    cancelled_at = Timestamptz(null=True, default=None)
    #: the plan this one redraws (cancelled in the same transaction)
    replaces = UUID(null=True, default=None)


class PlannedVisit(Table, tablename="planned_visit"):
    """One site to visit on an undisclosed day of the month (不定时), by an assigned inspector."""

    id: Any  # the primary key Piccolo adds (an annotation only, for type checkers)
    uuid = UUID(unique=True)
    plan = ForeignKey(references=VisitPlan, on_delete=OnDelete.cascade, index=True)
    site = ForeignKey(references=Site, on_delete=OnDelete.restrict, index=True)
    county = ForeignKey(references=County, on_delete=OnDelete.restrict, index=True)
    inspector = ForeignKey(references=User, on_delete=OnDelete.restrict, index=True)
    planned_on = Date()
    #: when the visit reaches the inspector's phone (DUCHA_PLAN_RELEASE_DAYS before planned_on)
    release_on = Date()
    rank = Integer(default=0)
    state = Varchar(length=10, default="planned")  # planned | done | cancelled
    inspection_uuid = UUID(null=True, default=None)
    done_at = Timestamptz(null=True, default=None)
