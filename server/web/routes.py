"""Serve the built PWA: the shell files revalidated on every load (the service worker caches them
by version), ``sw.js`` never cached by HTTP, and a clear page when the app was not built."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

from server.settings import get_settings

NOT_BUILT = """<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>督查</title>
<p style="font:18px sans-serif;padding:16px">手机应用尚未构建：请在项目目录运行 <code>make setup</code>（或 <code>cd pwa &amp;&amp; npm ci &amp;&amp; npm run build</code>）。接口在 <code>/api/</code> 照常可用。</p>"""


def pwa_router() -> list:
    root: Path = get_settings().pwa_dir
    if not (root / "index.html").is_file():

        @get("/", opt={"exclude_from_auth": True}, include_in_schema=False, media_type="text/html")
        async def not_built() -> Response[str]:
            return Response(NOT_BUILT, status_code=503, media_type="text/html")

        return [not_built]

    worker = (root / "sw.js").read_bytes()  # built once with the shell; a new build means a restart

    @get("/sw.js", opt={"exclude_from_auth": True}, include_in_schema=False)
    async def service_worker() -> Response[bytes]:
        return Response(worker, media_type="text/javascript",
                        headers={"Cache-Control": "no-cache, no-store", "Service-Worker-Allowed": "/"})

    static: Router = create_static_files_router(
        path="/", directories=[root], html_mode=True, opt={"exclude_from_auth": True},
        cache_control=CacheControlHeader(no_cache=True),
    )
    return [service_worker, static]
