"""A bad uplink between a phone and the server, as a TCP proxy on loopback: bytes from the phone
go out at ``rate`` bytes a second (shared by every connection, as one radio link is), every open
connection is cut each ``cut_every`` seconds, and every byte on the wire is counted. Answers come
back at full speed (a valley's problem is the uplink). Used by the browser tests and the bench."""

from __future__ import annotations

import asyncio
import contextlib
import time


class Uplink:
    def __init__(self, target_port: int, rate: float | None = None, cut_every: float | None = None) -> None:
        self.target_port = target_port
        self.rate = rate  # bytes/s from the phone; None: no limit
        self.cut_every = cut_every
        self.bytes_up = 0  # phone → server, on the wire (headers and bodies, including what a cut threw away)
        self.bytes_down = 0
        self.cuts = 0  # connections cut (open ones, busy or idle)
        self._free_at = 0.0  # when the shared link can take the next byte
        self._links: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._tasks: set[asyncio.Task] = set()
        self._server: asyncio.base_events.Server | None = None
        self._cutter: asyncio.Task | None = None
        self.port = 0

    async def __aenter__(self) -> Uplink:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        self._cutter = asyncio.create_task(self._cut_loop())
        return self

    async def __aexit__(self, *exc) -> None:
        self._cutter.cancel()
        self._server.close()
        for link in list(self._links):
            for w in link:
                w.transport.abort()
        await asyncio.gather(*self._tasks, return_exceptions=True)  # each connection's task ends before the loop does

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set(self, rate: float | None, cut_every: float | None) -> None:
        self.rate, self.cut_every = rate, cut_every

    async def _cut_loop(self) -> None:
        while True:
            await asyncio.sleep(self.cut_every or 1)
            if self.cut_every:
                for link in list(self._links):
                    self.cuts += 1
                    for w in link:
                        w.transport.abort()

    async def _send_slowly(self, data: bytes) -> None:
        if not self.rate:
            return
        now = time.monotonic()
        start = max(now, self._free_at)
        self._free_at = start + len(data) / self.rate
        await asyncio.sleep(self._free_at - now)

    async def _handle(self, phone_r: asyncio.StreamReader, phone_w: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        try:
            server_r, server_w = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            phone_w.transport.abort()
            return
        link = (phone_w, server_w)
        self._links.add(link)

        async def up() -> None:
            while data := await phone_r.read(1024):
                await self._send_slowly(data)
                self.bytes_up += len(data)
                server_w.write(data)
                await server_w.drain()

        async def down() -> None:
            while data := await server_r.read(65536):
                self.bytes_down += len(data)
                phone_w.write(data)
                await phone_w.drain()

        with contextlib.suppress(Exception):
            await asyncio.gather(up(), down())
        self._links.discard(link)
        for w in link:
            w.transport.abort()
