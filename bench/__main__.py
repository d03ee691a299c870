"""``python -m bench [--quick] [--only NAME ...]``: run the benchmarks, print their tables,
and write ``bench/results/latest.json`` (and ``latest.md``)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import Any

from bench import (
    api_load,
    bot_load,
    checkout_load,
    growth,
    payments_load,
    reports,
    round_trips,
    sides,
)
from bench.processes import running
from bench.report import Table, save
from bench.stage import RESULTS, EngineStore, answers, child_env, engine, free_port, shop_on
from sandbox.testing import running_sandbox


@dataclass(frozen=True)
class Plan:
    seconds: float
    """Length of each load run."""
    orders: int
    """Callers seeded for POST /api/orders, one order each."""
    presses: int
    """Button presses per customer and scenario in the bot benchmark."""
    catalog_sizes: tuple[int, ...]
    order_counts: tuple[int, ...]
    samples: int
    """Calls timed per figure of the growth benchmark."""
    payment_rounds: int
    """Rounds of 50 pre-checkout queries at once in the payments benchmark."""
    report_orders: int
    """Orders under the dashboard and the CSV export."""
    report_samples: int
    """Dashboard calls timed per figure."""


FULL = Plan(
    seconds=8,
    orders=12_000,
    presses=40,
    catalog_sizes=(1_000, 10_000, 100_000),
    order_counts=(1_000, 100_000),
    samples=30,
    payment_rounds=10,
    report_orders=100_000,
    report_samples=5,
)
QUICK = Plan(
    seconds=2,
    orders=3_000,
    presses=8,
    catalog_sizes=(1_000, 10_000),
    order_counts=(1_000, 10_000),
    samples=5,
    payment_rounds=3,
    report_orders=10_000,
    report_samples=3,
)
OPERATORS_CHAT = 4_000_001
SCENARIOS = ("http", "checkout", "bot", "growth", "payments", "reports")


@dataclass
class Run:
    plan: Plan
    only: frozenset[str]
    store: EngineStore
    tables: list[Table]
    data: dict[str, Any]
    memory: Table


async def started() -> bool:
    """The notifier's readiness: it serves nothing, so give it a moment."""
    await asyncio.sleep(1)
    return True


async def storefront(uri: str, run: Run) -> None:
    """1 and 3: the API and the bare baseline loaded by wrk, the notifier sending
    the new-order notices; all child processes."""
    servers = []
    async with contextlib.AsyncExitStack() as stack:
        telegram = await stack.enter_async_context(running_sandbox())
        telegram.sandbox.add_user(OPERATORS_CHAT, "Operators")
        for name, module in (("shop", "admin_api"), ("bare", "bench.bare_api")):
            shop = await stack.enter_async_context(shop_on(uri, f"bench_{name}"))
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            scarce = checkout_load.scarce_stock(run.plan.seconds)
            folder = RESULTS / "work" / name
            side = await sides.prepare(shop, name, url, folder, run.plan.orders, scarce)
            env = child_env(uri, f"bench_{name}", API_PORT=str(port))
            if name == "shop":  # each new order queues a notice for the notifier to send
                env["OPERATOR_CHAT_ID"] = str(OPERATORS_CHAT)
            log = RESULTS / "logs" / f"{name}-api.log"
            child = running(module, env, log, answers(url + "/readyz"))
            servers.append((side, await stack.enter_async_context(child)))
            if name == "shop":  # checkout with a promo code against plain, same server
                promo_sides = await sides.promo_pair(shop, side, folder, scarce)
        worker_env = child_env(
            uri,
            "bench_shop",
            BOT_TOKEN=telegram.sandbox.token,
            BOT_API_BASE_URL=telegram.url,
            OPERATOR_CHAT_ID=str(OPERATORS_CHAT),
        )
        log = RESULTS / "logs" / "notifier.log"
        worker = await stack.enter_async_context(running("bot.notifier", worker_env, log, started))
        measured = [side for side, _ in servers]
        if "http" in run.only:
            table, run.data["http"] = await api_load.measure(measured, run.plan.seconds)
            run.tables.append(table)
        if "checkout" in run.only:
            checkouts = [*measured, *promo_sides]
            table, run.data["checkout"] = await checkout_load.measure(checkouts, run.plan.seconds)
            run.tables.append(table)
        (_, api), (_, bare) = servers
        shop_rss, bare_rss = api.peak_rss_mib(), bare.peak_rss_mib()
        run.memory.add("API (python -m admin_api)", shop_rss, "bare API", bare_rss,
                       shop_rss / bare_rss)  # fmt: skip
        calls = telegram.sandbox.calls
        sent = sum(c.method == "sendMessage" and c.status == 200 for c in calls)
        run.memory.add(f"notifier ({sent} notices sent)", worker.peak_rss_mib(), "-", "-", "-")


async def main(run: Run) -> None:
    async with engine(run.store) as uri:
        if run.only & {"http", "checkout"}:
            await storefront(uri, run)
        if "bot" in run.only:
            table, run.data["bot"] = await bot_load.measure(uri, run.plan.presses, run.memory)
            run.tables.append(table)
            table, run.data["round_trips"] = await round_trips.measure(uri)
            run.tables.append(table)
        if "growth" in run.only:
            plan = run.plan
            tables, run.data["growth"] = await growth.measure(
                uri, plan.catalog_sizes, plan.order_counts, plan.samples
            )
            run.tables.extend(tables)
        if "payments" in run.only:
            table, run.data["payments"] = await payments_load.measure(uri, run.plan.payment_rounds)
            run.tables.append(table)
        if "reports" in run.only:
            plan = run.plan
            tables, run.data["reports"] = await reports.measure(
                uri, plan.report_orders, plan.report_samples
            )
            run.tables.extend(tables)


def cli() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs: a smoke test")
    parser.add_argument("--only", nargs="+", choices=SCENARIOS, default=SCENARIOS)
    parser.add_argument(
        "--engine",
        choices=("memory", "file"),
        default="memory",
        help="the embedded engine's memory backend (default), or its H2 file as ./run uses",
    )
    args = parser.parse_args()
    memory = Table(
        "Peak RSS during the runs above",
        ["process", "MiB", "baseline process", "baseline MiB", "ratio"],
    )
    run = Run(QUICK if args.quick else FULL, frozenset(args.only), args.engine, [], {}, memory)
    started = time.monotonic()
    asyncio.run(main(run))
    run.tables.append(memory)
    for table in run.tables:
        print(table.text(), end="\n\n")
    run.data["engine"] = args.engine
    run.data["seconds"] = round(time.monotonic() - started)
    print(f"results: {save('latest', run.tables, run.data)} ({run.data['seconds']} s)")


cli()
