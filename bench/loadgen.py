"""A small asyncio + httpx load generator: N concurrent clients for a fixed time; req/s and latencies."""
from __future__ import annotations

import asyncio
import time

import httpx

from .common import percentile


async def _client(client: httpx.AsyncClient, url: str, headers: dict, until: float, latencies: list, errors: list) -> None:
    while True:
        start = time.perf_counter()
        if start >= until:
            return
        try:
            response = await client.get(url, headers=headers)
            if response.status_code != 200:
                errors.append(response.status_code)
                continue
        except httpx.HTTPError as error:
            errors.append(type(error).__name__)
            continue
        latencies.append(time.perf_counter() - start)


async def _load(url: str, headers: dict, clients: int, seconds: float) -> dict:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        # Warm-up: every worker process has loaded the app and opened its database connection.
        await asyncio.gather(*[client.get(url, headers=headers) for _ in range(clients * 2)])
        latencies: list[float] = []
        errors: list = []
        start = time.perf_counter()
        await asyncio.gather(*[_client(client, url, headers, start + seconds, latencies, errors) for _ in range(clients)])
        elapsed = time.perf_counter() - start
    return {
        "requests": len(latencies), "errors": len(errors), "seconds": elapsed,
        "rps": len(latencies) / elapsed, "p50_ms": percentile(latencies, 50) * 1000, "p99_ms": percentile(latencies, 99) * 1000,
    }


def load(url: str, *, headers: dict | None = None, clients: int = 16, seconds: float = 5.0) -> dict:
    return asyncio.run(_load(url, headers or {}, clients, seconds))
