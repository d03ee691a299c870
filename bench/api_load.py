"""1. HTTP: three endpoints under 64 connections, the shop's API against the bare baseline.

Both servers run as child processes on their own copy of the same data; wrk runs in a
third process. All of them, and the database engine, share the machine's cores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from bench import wrk
from bench.report import Table
from bench.sides import Side

CONNECTIONS = 64
PAGE = "/api/products?limit=20"
ENDPOINTS = (("GET", PAGE), ("GET", "/api/cart"), ("POST", "/api/orders"))
READ_RATIO_TARGET = 0.6
READ_P99_TARGET_MS = 50.0


async def measure(sides: Sequence[Side], seconds: float) -> tuple[Table, dict[str, Any]]:
    """``sides``: the shop, then the bare baseline."""
    table = Table(
        f"HTTP, {CONNECTIONS} connections, {seconds:.0f} s each (wrk, servers and engine share "
        "the cores)",
        ["endpoint", "shop req/s", "bare req/s", "ratio", "shop p50 ms", "shop p99 ms",
         "bare p99 ms", "errors shop/bare"],
    )  # fmt: skip
    data: dict[str, Any] = {}
    for side in sides:  # warm both up
        await wrk.run(side.url + PAGE, "endpoint", seconds=1, connections=CONNECTIONS, path=PAGE)
    for method, path in ENDPOINTS:
        loads = {}
        for side in sides:
            identities = side.orderers if method == "POST" else side.readers
            loads[side.name] = await wrk.run(
                side.url + path,
                "endpoint",
                seconds=seconds,
                connections=CONNECTIONS,
                method=method,
                path=path,
                identities=str(identities),
            )
        shop, bare = loads["shop"], loads["bare"]
        ratio = shop.per_second / bare.per_second
        table.add(
            f"{method} {path.split('?')[0]}",
            shop.per_second,
            bare.per_second,
            ratio,
            shop.p50_ms,
            shop.p99_ms,
            bare.p99_ms,
            f"{shop.non_2xx + shop.socket_errors}/{bare.non_2xx + bare.socket_errors}",
        )
        data[f"{method} {path}"] = {
            "shop": {**asdict(shop), "per_second": shop.per_second},
            "bare": {**asdict(bare), "per_second": bare.per_second},
            "ratio": ratio,
        }
    table.notes.append(
        f"Targets for the reads: ratio >= {READ_RATIO_TARGET}, p99 < {READ_P99_TARGET_MS:.0f} ms. "
        "POST /api/orders: the bare baseline is a naive checkout (no journal, idempotency "
        "or notices)."
    )
    return table, data
