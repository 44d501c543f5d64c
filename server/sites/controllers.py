"""Counties, departments and sites over HTTP."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import JSONBody, QueryParameter

from server.lib import clock
from server.lib.bounds import Offset, PathId, QueryId
from server.sites import schemas, service, transfer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SitesController(Controller):
    path = "/api"
    tags = ["sites"]

    @get("/counties", operation_id="listCounties")
    async def counties(self) -> list[schemas.County]:
        return await service.list_counties()

    @get("/departments", operation_id="listDepartments")
    async def departments(self, include_inactive: Annotated[bool, QueryParameter(
            description="also the disabled (停用) departments")] = False) -> list[schemas.Department]:
        return await service.list_departments(include_inactive=include_inactive)

    @patch("/departments/{department_id:int}", operation_id="updateDepartment",
           description="Rename, disable or enable a department (city admin); its issues keep it.")
    async def update_department(self, request: Request, department_id: PathId,
                                data: JSONBody[schemas.DepartmentUpdate]) -> schemas.Department:
        return await service.update_department(request.user, department_id, data)

    @post("/departments", operation_id="createDepartment")
    async def create_department(self, request: Request, data: JSONBody[schemas.DepartmentCreate]) -> schemas.Department:
        return await service.create_department(request.user, data)

    @get("/sites", operation_id="listSites")
    async def list_sites(
        self,
        request: Request,
        county_id: QueryId = None,
        q: Annotated[str | None, QueryParameter(max_length=64)] = None,
        offset: Offset = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        include_inactive: Annotated[bool, QueryParameter(description="also the disabled (停用) sites")] = False,
    ) -> schemas.SitePage:
        return await service.list_sites(request.user, county_id=county_id, q=q, offset=offset, limit=limit,
                                        include_inactive=include_inactive)

    @get("/sites/sheet", operation_id="exportSiteSheet", media_type=XLSX,
         description="The site list as an Excel workbook (安置点清单): the city office's, or a county team's own county.")
    async def export_sheet(self, request: Request) -> Response[bytes]:
        data = await transfer.export_sheet(request.user)
        name = quote(f"安置点清单-{clock.local(clock.now()).date().isoformat()}.xlsx")
        return Response(data, media_type=XLSX,
                        headers={"Content-Disposition": f"attachment; filename=\"sites.xlsx\"; filename*=UTF-8''{name}"})

    @post("/sites/sheet", operation_id="importSiteSheet", status_code=200, request_max_body_size=transfer.MAX_BYTES + 1,
          description="Body: the site list workbook (.xlsx, as exported). Every row is checked first: with any problem "
                      "nothing is written (422, every row's problems in detail); with dry_run=true nothing is written "
                      "either and the rows show what an import would do. City admin only.")
    async def import_sheet(self, request: Request,
                           dry_run: Annotated[bool, QueryParameter(description="check only, write nothing")] = False) -> schemas.SheetImport:
        return await transfer.import_sheet(request.user, await request.body(), dry_run=dry_run)

    @get("/sites/{site_id:int}", operation_id="getSite")
    async def get_site(self, request: Request, site_id: PathId) -> schemas.Site:
        return await service.get_site(request.user, site_id)

    @post("/sites", operation_id="createSite")
    async def create_site(self, request: Request, data: JSONBody[schemas.SiteCreate]) -> schemas.Site:
        return await service.create_site(request.user, data)

    @patch("/sites/{site_id:int}", operation_id="updateSite")
    async def update_site(self, request: Request, site_id: PathId, data: JSONBody[schemas.SiteUpdate]) -> schemas.Site:
        return await service.update_site(request.user, site_id, data)

    @post("/sites/{site_id:int}/status", operation_id="setSiteStatus", status_code=200,
          description="Disable a closed or merged site (its planned visits not yet made are cancelled) or enable it "
                      "again, with a reason. City admin only.")
    async def set_status(self, request: Request, site_id: PathId, data: JSONBody[schemas.SiteStatus]) -> schemas.SiteStatusOut:
        return await service.set_status(request.user, site_id, data)

    @post("/sites/{site_id:int}/proposals", operation_id="proposeSiteChange", status_code=201)
    async def propose(self, request: Request, site_id: PathId, data: JSONBody[schemas.ProposalIn]) -> schemas.Proposal:
        return await service.propose(request.user, site_id, data)

    @get("/sites/{site_id:int}/proposals", operation_id="listSiteProposals")
    async def proposals(self, request: Request, site_id: PathId) -> list[schemas.Proposal]:
        return await service.proposals(request.user, site_id)

    @post("/sites/{site_id:int}/proposals/{proposal_id:int}/decision", operation_id="decideSiteProposal", status_code=200)
    async def decide(self, request: Request, site_id: PathId, proposal_id: PathId, data: JSONBody[schemas.DecisionIn]) -> schemas.Proposal:
        return await service.decide(request.user, site_id, proposal_id, data)
