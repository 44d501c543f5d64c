"""40 wrong logins for one account sent at once from one address, as an attacker would: how many are
refused with 429 (target >= 35), and /api/health's p99 while they run beside its p99 when idle
(target < 100 ms). Run: ``python -m bench.login_burst``."""

from __future__ import annotations

import asyncio
import time

import httpx

from bench.common import demo_server, scaled

BURST = scaled(40, 8)


async def health_latencies(client: httpx.AsyncClient, stop: asyncio.Event) -> list[float]:
    out = []
    while not stop.is_set():
        t = time.perf_counter()
        await client.get("/api/health")
        out.append((time.perf_counter() - t) * 1000)
        await asyncio.sleep(0.01)
    return out


def p99(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * 0.99))]


async def run(url: str) -> None:
    limits = httpx.Limits(max_connections=BURST + 5)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120) as client:
        stop = asyncio.Event()
        idle = asyncio.create_task(health_latencies(client, stop))
        await asyncio.sleep(2)
        stop.set()
        idle_ms = await idle

        stop = asyncio.Event()
        during = asyncio.create_task(health_latencies(client, stop))
        started = time.perf_counter()
        answers = await asyncio.gather(*[
            client.post("/api/auth/login", json={"username": "inspector", "password": f"wrong-{i}"}) for i in range(BURST)])
        took = time.perf_counter() - started
        stop.set()
        busy_ms = await during
    codes = [r.status_code for r in answers]
    refused = codes.count(429)
    print(f"{BURST} wrong logins at once: {codes.count(422)} x 422, {refused} x 429 in {took:.1f} s "
          f"| target >= 35 x 429: {'met' if refused >= 35 else 'MISSED'}")
    print(f"/api/health p99 meanwhile {p99(busy_ms):.1f} ms ({len(busy_ms)} requests) beside idle p99 "
          f"{p99(idle_ms):.1f} ms | target < 100 ms: {'met' if p99(busy_ms) < 100 else 'MISSED'}")


def main() -> None:
    with demo_server() as url:
        asyncio.run(run(url))


if __name__ == "__main__":
    main()
