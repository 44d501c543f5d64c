"""The assessment over HTTP (city roles); its PDF and XLSX are ledger jobs of kind ``assessment``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec
from litestar import Controller, Request, get
from litestar.params import QueryParameter

from server.assessment import service
from server.assessment.schemas import Assessment
from server.lib import clock
from server.lib.bounds import check_day


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
