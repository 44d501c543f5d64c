"""Processes of a deployment for the tests: ``ducha serve`` nodes and ``ducha worker`` processes,
each its own process group on the shared database (and object store, when set in the
environment), stopped at the end whatever happened."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from server.lib import clock
from tests.world import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    def __init__(self, argv: list[str], **env: str) -> None:
        self.output = ""
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - a file, not a pipe: a full pipe nobody reads would stop the process
        # every process reads the test's clock from where it is now (under faketime each process would
        # otherwise start its own clock at the faked instant, and compare leases across processes wrongly)
        env = {"DUCHA_TEST_CLOCK": clock.now().isoformat(), **env}
        self.proc = subprocess.Popen([sys.executable, "-m", "server.cli", *argv], cwd=ROOT, env={**os.environ, **env},
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait(self, timeout: float) -> int:
        return self.proc.wait(timeout)

    def stop(self) -> str:
        """Stopped (its whole group: a PDF worker's render pool too); what it wrote."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if not self.log.closed:  # stopped once already: said what it wrote then
            self.log.seek(0)
            self.output = self.log.read().decode(errors="replace")
            self.log.close()
        return self.output


class Node(Process):
    """``ducha serve`` on a port of its own."""

    def __init__(self, **env: str) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        super().__init__(["serve", "--port", str(self.port)], **env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.1)
        raise AssertionError(f"node did not start: {self.stop()[-2000:]}")

    async def client(self, username: str | None = None, cookies: httpx.Cookies | None = None,
                     csrf: str | None = None) -> httpx.AsyncClient:
        """Logged in as ``username``, or carrying another node's session (cookies and CSRF token)."""
        client = httpx.AsyncClient(base_url=self.base, timeout=60, cookies=cookies)
        if username:
            r = await client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.text
            csrf = r.json()["csrf_token"]
        if csrf:
            client.headers["X-CSRF-Token"] = csrf
        return client


class Worker(Process):
    """``ducha worker``."""

    def __init__(self, name: str, **env: str) -> None:
        self.name = name
        super().__init__(["worker", "--name", name], **env)
