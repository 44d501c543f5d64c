"""Inspections over HTTP: the phone PUTs a whole visit by its UUID."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, get, put
from litestar.params import FromPath, JSONBody

from server.inspections import service
from server.inspections.schemas import InspectionOut, InspectionPut


class InspectionsController(Controller):
    path = "/api/inspections"
    tags = ["inspections"]

    @put("/{uuid:uuid}", operation_id="putInspection")
    async def put_inspection(self, request: Request, uuid: FromPath[UUID], data: JSONBody[InspectionPut]) -> InspectionOut:
        return await service.put(request.user, uuid, data)

    @get("/{uuid:uuid}", operation_id="getInspection")
    async def get_inspection(self, request: Request, uuid: FromPath[UUID]) -> InspectionOut:
        return await service.get(request.user, uuid)
