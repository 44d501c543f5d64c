"""Plans over HTTP. Every route answers the inspected side with the 404 of a missing plan."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody

from server.lib.bounds import Id
from server.plans import service
from server.plans.schemas import MyPlannedVisit, PlanOut, PlanSummary


class PlanIn(msgspec.Struct, forbid_unknown_fields=True):
    month: Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}$")]
    count: Annotated[int, msgspec.Meta(ge=1, le=500)]
    inspector_ids: Annotated[list[Id], msgspec.Meta(min_length=1, max_length=50)]
    #: to repeat a draw (audit): the same seed and the same candidates give the same sites
    seed: Annotated[str, msgspec.Meta(min_length=4, max_length=32)] | None = None


class PlansController(Controller):
    path = "/api/plans"
    tags = ["plans"]

    @post("/", operation_id="createPlan", status_code=200)
    async def create(self, request: Request, data: JSONBody[PlanIn]) -> PlanOut:
        return msgspec.convert(await service.create(request.user, data.month, data.count, data.inspector_ids, data.seed), PlanOut)

    @get("/", operation_id="listPlans")
    async def listing(self, request: Request) -> list[PlanSummary]:
        return msgspec.convert(await service.listing(request.user), list[PlanSummary])

    @get("/mine", operation_id="myPlannedVisits")
    async def mine(self, request: Request) -> list[MyPlannedVisit]:
        return msgspec.convert(await service.mine(request.user), list[MyPlannedVisit])

    @get("/{uuid:uuid}", operation_id="getPlan")
    async def get_plan(self, request: Request, uuid: FromPath[UUID]) -> PlanOut:
        return msgspec.convert(await service.get(request.user, uuid), PlanOut)
