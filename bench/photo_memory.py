"""Server memory while photos that unpack large are uploaded three at a time: the attack of a
249 KB PNG of 7999x8000 RGBA (refused from its header now; it used to cost ~750 MB each) and the
largest PNG still accepted (5792x5792 RGBA, 128 MB decoded). Peak RSS of the server process
(VmHWM) beside its RSS at rest. Target: three at once <= 600 MB.

    python -m bench.photo_memory
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import re
from pathlib import Path

import httpx
from PIL import Image

from bench.common import demo_server

DEMO_PASSWORD = "ducha-demo-2026"


def png(width: int, height: int) -> bytes:
    im = Image.new("RGBA", (width, height), (30, 120, 200, 160))
    out = io.BytesIO()
    im.save(out, "PNG", compress_level=9)
    return out.getvalue()


def server_pid(port: int) -> int:
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if "uvicorn" in cmd and f"--port {port}" in cmd:
                return int(proc.name)
    raise RuntimeError("server process not found")


def memory_mb(pid: int) -> tuple[float, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
    hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024
    return rss, hwm


async def three_at_once(url: str, data: bytes) -> list[int]:
    async with httpx.AsyncClient(base_url=url, timeout=300) as client:
        r = await client.post("/api/auth/login", json={"username": "inspector", "password": DEMO_PASSWORD})
        r.raise_for_status()
        csrf = r.json()["csrf_token"]
        sha = hashlib.sha256(data).hexdigest()

        async def one():
            import uuid

            r = await client.put(f"/api/photos/{uuid.uuid4()}", content=data, params={"sha256": sha},
                                 headers={"Content-Type": "application/octet-stream", "X-CSRF-Token": csrf})
            return r.status_code

        return await asyncio.gather(one(), one(), one())


def main() -> None:
    attack, largest = png(7999, 8000), png(5792, 5792)
    with demo_server() as url:
        pid = server_pid(int(url.rsplit(":", 1)[1]))
        rest, _ = memory_mb(pid)
        codes = asyncio.run(three_at_once(url, attack))
        _, after_attack = memory_mb(pid)
        print(f"3 x {len(attack) // 1024} KB PNG of 7999x8000 RGBA at once: {codes} | server peak RSS {after_attack:.0f} MB "
              f"(at rest {rest:.0f} MB)")
        codes = asyncio.run(three_at_once(url, largest))
        now, peak = memory_mb(pid)
        print(f"3 x {len(largest) // 1024} KB PNG of 5792x5792 RGBA (the largest accepted) at once: {codes} | "
              f"server peak RSS {peak:.0f} MB, {now:.0f} MB afterwards | target <= 600 MB: {'met' if peak <= 600 else 'MISSED'}")


if __name__ == "__main__":
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    main()
