"""Plans over HTTP. Every route answers the inspected side with the 404 of a missing plan."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, JSONBody

from server.lib.bounds import Id, days_in_range
from server.plans import service
from server.plans.schemas import Assignable, Candidate, MyPlannedVisit, PlanOut, PlanSummary


class PlanIn(msgspec.Struct, forbid_unknown_fields=True):
    month: Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}$")]
    count: Annotated[int, msgspec.Meta(ge=1, le=500)]
    inspector_ids: Annotated[list[Id], msgspec.Meta(min_length=1, max_length=50)]
    #: to repeat a draw (audit): the same seed and the same candidates give the same sites
    seed: Annotated[str, msgspec.Meta(min_length=4, max_length=32)] | None = None
    #: a redraw: this plan (same month) is cancelled with ``reason`` in the same transaction
    replaces: UUID | None = None
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class CancelIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class AdjustIn(msgspec.Struct, forbid_unknown_fields=True):
    """A planned visit's inspector and/or day, and why."""

    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    inspector_id: Id | None = None
    planned_on: date | None = None

    def __post_init__(self) -> None:
        days_in_range(self, {"planned_on": "督查日期"})
        if self.inspector_id is None and self.planned_on is None:
            raise ValueError("请选择新的督查人员或日期")


class PlansController(Controller):
    path = "/api/plans"
    tags = ["plans"]

    @post("/", operation_id="createPlan", status_code=200)
    async def create(self, request: Request, data: JSONBody[PlanIn]) -> PlanOut:
        return msgspec.convert(await service.create(request.user, data.month, data.count, data.inspector_ids, data.seed,
                                                    data.replaces, data.reason), PlanOut)

    @get("/", operation_id="listPlans")
    async def listing(self, request: Request) -> list[PlanSummary]:
        return msgspec.convert(await service.listing(request.user), list[PlanSummary])

    @get("/candidates", operation_id="planCandidates")
    async def candidates(self, request: Request) -> list[Candidate]:
        return msgspec.convert(await service.candidates(request.user), list[Candidate])

    @get("/inspectors", operation_id="planInspectors",
         description="Whom the caller may assign its plans' visits to: the city admin its inspectors (and admins), "
                     "a county team its own members. Planners only (anyone else: 404).")
    async def inspectors(self, request: Request) -> list[Assignable]:
        return msgspec.convert(await service.assignable(request.user), list[Assignable])

    @post("/{uuid:uuid}/cancellation", operation_id="cancelPlan", status_code=200)
    async def cancel(self, request: Request, uuid: FromPath[UUID], data: JSONBody[CancelIn]) -> PlanOut:
        return msgspec.convert(await service.cancel(request.user, uuid, data.reason), PlanOut)

    @patch("/{uuid:uuid}/visits/{visit_uuid:uuid}", operation_id="adjustPlannedVisit")
    async def adjust(self, request: Request, uuid: FromPath[UUID], visit_uuid: FromPath[UUID], data: JSONBody[AdjustIn]) -> PlanOut:
        return msgspec.convert(await service.adjust(request.user, uuid, visit_uuid, data.inspector_id, data.planned_on, data.reason), PlanOut)

    @get("/mine", operation_id="myPlannedVisits")
    async def mine(self, request: Request) -> list[MyPlannedVisit]:
        return msgspec.convert(await service.mine(request.user), list[MyPlannedVisit])

    @get("/{uuid:uuid}", operation_id="getPlan")
    async def get_plan(self, request: Request, uuid: FromPath[UUID]) -> PlanOut:
        return msgspec.convert(await service.get(request.user, uuid), PlanOut)
