"""Templates over HTTP; a version never changes, so the phone may cache it for good."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody, Parameter, QueryParameter

from server.checklists import service
from server.checklists.model import Template
from server.checklists.schemas import CatalogEntry, DraftCheck, DraftComposed, DraftEdits, DraftIn, TemplateDiff, TemplateSummary
from server.lib.bounds import QueryId


class TemplatesController(Controller):
    path = "/api/templates"
    tags = ["checklists"]

    @get("/", operation_id="listTemplates")
    async def list_templates(self, request: Request, site_id: QueryId = None) -> list[TemplateSummary]:
        return await service.applicable(request.user, site_id)

    @get("/catalog", operation_id="templateCatalog")
    async def catalog(self) -> list[CatalogEntry]:
        return service.catalog()

    @post("/drafts/check", operation_id="checkTemplateDraft", status_code=200)
    async def check_draft(self, data: JSONBody[DraftIn]) -> DraftCheck:
        return service.check_draft(data.source)

    @post("/drafts/compose", operation_id="composeTemplateDraft", status_code=200,
          description="The next version's YAML made from form edits of the current version (city admin), with the "
                      "checker's verdict; nothing is stored. 409 when the base is no longer the current version.")
    async def compose_draft(self, request: Request, data: JSONBody[DraftEdits]) -> DraftComposed:
        return await service.compose_draft(request.user, data)

    @post("/versions", operation_id="publishTemplateVersion", status_code=201)
    async def publish(self, request: Request, data: JSONBody[DraftIn]) -> CatalogEntry:
        return await service.publish(request.user, data.source, data.note)

    @get("/{template_id:str}/versions/{version:int}/source", operation_id="getTemplateSource", media_type="text/plain")
    async def source(self, template_id: FromPath[str], version: Annotated[int, Parameter(ge=1, le=10_000)]) -> Response[str]:
        return Response(await service.source(template_id, version), media_type="text/yaml; charset=utf-8")

    @get("/{template_id:str}/diff", operation_id="templateDiff")
    async def diff(
        self, template_id: FromPath[str],
        from_version: Annotated[int, QueryParameter(name="from", ge=1, le=10_000)],
        to_version: Annotated[int, QueryParameter(name="to", ge=1, le=10_000)],
    ) -> TemplateDiff:
        return service.version_diff(template_id, from_version, to_version)

    @get("/{template_id:str}/versions/{version:int}", operation_id="getTemplateVersion")
    async def get_version(self, request: Request, template_id: FromPath[str], version: Annotated[int, Parameter(ge=1, le=10_000)]) -> Response[Template]:
        template, etag = service.get_version(template_id, version)
        headers = {"ETag": f'"{etag}"', "Cache-Control": "private, max-age=31536000, immutable"}
        if request.headers.get("if-none-match", "").strip('"W/') == etag:
            return Response(None, status_code=304, headers=headers)  # type: ignore[arg-type]
        return Response(template, headers=headers)
