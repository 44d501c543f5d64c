"""The assessment over HTTP (city roles); its PDF and XLSX are ledger jobs of kind ``assessment``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec
from litestar import Controller, Request, get
from litestar.params import QueryParameter

from server.accounts.roles import Role
from server.assessment import service
from server.assessment.schemas import Assessment, CountyDrill
from server.lib import clock
from server.lib.bounds import PathId, check_day
from server.lib.errors import NotFound


class AssessmentController(Controller):
    path = "/api/assessment"
    tags = ["assessment"]

    @get("/", operation_id="assessment")
    async def assessment(
        self, request: Request,
        date_from: Annotated[date | None, QueryParameter(name="from")] = None,
        date_to: Annotated[date | None, QueryParameter(name="to")] = None,
    ) -> Assessment:
        today = clock.today()
        check_day(date_from, "开始日期")
        check_day(date_to, "结束日期")
        result = await service.assess(request.user, date_from or date(today.year, 1, 1), date_to or today)
        return msgspec.convert({**result, "date_from": result["from"], "date_to": result["to"]}, Assessment, from_attributes=False)

    @get("/counties/{county_id:int}", operation_id="assessmentCounty")
    async def county(
        self, request: Request, county_id: PathId,
        date_from: Annotated[date | None, QueryParameter(name="from")] = None,
        date_to: Annotated[date | None, QueryParameter(name="to")] = None,
    ) -> CountyDrill:
        today = clock.today()
        check_day(date_from, "开始日期")
        check_day(date_to, "结束日期")
        result = await service.assess(request.user, date_from or date(today.year, 1, 1), date_to or today, focus=county_id)
        row = next((c for c in result["counties"] if c["county_id"] == county_id), None)
        if row is None:
            raise NotFound("县区不存在")
        detail = result["detail"]
        if request.user.role is not Role.CITY_ADMIN:  # a plan's visits not yet made are the planners' secret
            detail = {**detail, "planned": [v for v in detail["planned"] if v["state"] == "done"]}
        return msgspec.convert({**detail, "county": row, "rules": result["rules"], "from": result["from"],
                                "to": result["to"]}, CountyDrill, from_attributes=False)
