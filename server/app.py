"""create_app(settings) -> Litestar: routers, middleware, error handlers."""

from __future__ import annotations

import asyncio
import contextlib

import msgspec
from litestar import Litestar, Request, get
from litestar.config.compression import CompressionConfig
from litestar.middleware.base import DefineMiddleware
from litestar.openapi import OpenAPIConfig

from server import __version__
from server.accounts.controllers import AuthController, UsersController
from server.accounts.middleware import SessionAuthMiddleware
from server.assessment.controllers import AssessmentController
from server.audit.controllers import AuditController
from server.checklists import loader as template_loader
from server.checklists.controllers import TemplatesController
from server.inspections.controllers import InspectionsController
from server.issues.controllers import IssuesController
from server.ledgers.controllers import LedgersController
from server.lib import clock, crash, db
from server.lib.http_errors import HANDLERS
from server.lib.openapi_errors import document_errors
from server.lib.security_headers import add_security_headers
from server.notices.controllers import NoticesController
from server.photos.controllers import PhotosController, PhotoUploadsController
from server.plans.controllers import PlansController
from server.settings import Settings, get_settings, use_settings
from server.sites.controllers import SitesController
from server.web.routes import pwa_router


class Health(msgspec.Struct, omit_defaults=True):
    status: str
    version: str
    #: the server's clock (ISO 8601, UTC)
    now: str
    #: present (true) only when the server runs on a test clock (DUCHA_TEST_CLOCK)
    test_clock: bool = False


@get("/api/health", operation_id="health", opt={"exclude_from_auth": True}, tags=["system"])
async def health() -> Health:
    """Liveness and database reachability."""
    from server.sites.tables import County

    await County.count()
    return Health(status="ok", version=__version__, now=clock.now().isoformat(), test_clock=bool(get_settings().test_clock))


_owned_pool = False


async def _start_pool() -> None:
    """PostgreSQL without a pool is ~9x slower; SQLite needs none."""
    global _owned_pool
    engine = db.engine()
    if db.is_postgres() and engine.pool is None:
        await engine.start_connection_pool(max_size=20)
        _owned_pool = True


async def _resume_ledgers() -> None:
    from server.jobs import queue
    from server.ledgers.service import resume_unfinished

    if queue.enabled():
        await queue.ensure_schema()
    await resume_unfinished()


_background: list[asyncio.Task] = []


async def _start_background() -> None:
    """In the background while the server runs: a previous crash's orphan files are removed once,
    ledger jobs whose worker stopped renewing its lease are queued again every half minute, and
    on the embedded default (no queue) the daily work runs here (server/jobs/schedule.py); with
    the queue, its workers run it."""
    from server.jobs import queue, schedule
    from server.ledgers.service import watch_leases
    from server.media.check import reap_at_start_up

    loop = asyncio.get_running_loop()
    _background.extend([loop.create_task(reap_at_start_up()), loop.create_task(watch_leases())])  # the reap first: see settled()
    if not queue.enabled():
        _background.append(loop.create_task(schedule.run_in_process()))


async def settled() -> None:
    """Wait for this process's start-up clean-up (a previous crash's leftovers removed) to finish:
    what a test writes into the media folder afterwards is not raced by it."""
    if _background:
        await asyncio.wait({_background[0]})


async def _stop_background() -> None:
    for task in _background:
        task.cancel()
    for task in _background:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    _background.clear()


async def _stop_ledgers() -> None:
    from server.jobs import queue
    from server.ledgers.service import stop

    await stop()
    await queue.close()


async def _close_pool() -> None:
    global _owned_pool
    engine = db.engine()
    if _owned_pool and db.is_postgres():
        await engine.close_connection_pool()
        _owned_pool = False


def route_handlers() -> list:
    return [health, AuthController, UsersController, SitesController, TemplatesController, InspectionsController, PhotosController, PhotoUploadsController, IssuesController, LedgersController,
            PlansController, AssessmentController, AuditController, NoticesController,
            *pwa_router()]


async def _templates_current(request: Request) -> None:
    """Every API request sees the template versions published so far, on whichever node it lands."""
    if request.url.path.startswith("/api/"):
        await template_loader.refresh()


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    use_settings(settings)
    if settings.test_clock:
        clock.use_test_clock(settings.test_clock)
    if settings.test_crash_at:
        crash.check(settings.test_crash_at)
    auth = DefineMiddleware(SessionAuthMiddleware, exclude=["^/schema"], exclude_from_auth_key="exclude_from_auth")
    app = Litestar(
        route_handlers=route_handlers(),
        middleware=[auth],
        exception_handlers=HANDLERS,
        before_send=[add_security_headers],
        before_request=_templates_current,
        on_startup=[_start_pool, _resume_ledgers, _start_background],
        on_shutdown=[_stop_background, _stop_ledgers, _close_pool],
        request_max_body_size=settings.max_body_bytes,
        # gzip for the app shell and JSON on slow rural links; photos are JPEG already
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024, gzip_compress_level=6, exclude=["^/api/photos"]),
        openapi_config=OpenAPIConfig(title="ducha 督查 API", version=__version__),
        debug=False,
    )
    document_errors(app)
    return app
