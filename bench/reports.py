"""5. Reports: the dashboard over many orders, with and without its indexes, the campaigns
report, and the CSV export of all of them streamed by the API, its speed and the API's
memory.

- Dashboard: the median of ``samples`` calls of ``Reports.dashboard`` in this process,
  first with the shop's indexes, then with the orders' indexes its reads use dropped; the
  baseline is one bare aggregation counting the same 30 days' orders.
- Export: ``python -m admin_api`` as a child process serves ``/api/exports/orders.csv``
  to a client here that reads it to the end: rows per second, the first byte's delay, and
  the API's peak RSS (``VmHWM``) after the export against its peak once started and idle;
  the baseline is the same orders read by a bare PyMongo cursor in this process.
- Campaigns: the median of ``samples`` calls of ``CampaignReports.figures`` over the last
  30 days and over every order (spread over ``CAMPAIGNS`` campaigns), against the same
  bare aggregation as the dashboard's.

On the embedded engine secondary indexes are ignored (``core/store.py``), so there the two
dashboard figures are expected to match; on MongoDB the first ``$match`` uses them.
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta
from typing import Any

import aiohttp

from bench import seed
from bench.growth import median_ms
from bench.processes import running
from bench.report import Table
from bench.stage import RESULTS, answers, child_env, free_port, shop_on
from core.accounts.access import SYSTEM, Actor
from core.accounts.models import Role
from core.base import clock
from core.campaigns.commands import CampaignQuery
from core.shop import Shop

DATABASE = "bench_reports"
DAYS = 40
"""Orders are spread over this many days: some fall outside the dashboard's 30."""
CUSTOMERS = 1_000
PRODUCTS = 3
STAFF = Actor(None, Role.OPERATOR)
DASHBOARD_INDEXES = (
    "placed_1_createdAt_1",
    "placed_1_status_1_createdAt_-1",
    "payment.state_1_payment.method_1",
    "payment.extraCharges.state_1",
)
"""The orders' indexes the dashboard's reads use (``core/reports/dashboard.py``)."""


async def dashboard_times(shop: Shop, samples: int) -> dict[str, float]:
    since = clock.now() - timedelta(days=30)
    bare: list[dict[str, Any]] = [
        {"$match": {"placed": True, "createdAt": {"$gte": since}}},
        {"$count": "n"},
    ]

    async def count() -> object:
        return await (await shop.store.orders.aggregate(bare)).to_list()

    await shop.reports.dashboard(STAFF)  # the engine's code warmed up for every figure
    timings: dict[str, list[float]] = {"bare_ms": [], "indexed_ms": [], "unindexed_ms": []}
    for _ in range(samples):  # interleaved, so that a drift of the machine hits all three
        timings["bare_ms"].append(await median_ms(1, count))
        timings["indexed_ms"].append(await median_ms(1, lambda: shop.reports.dashboard(STAFF)))
        for index in DASHBOARD_INDEXES:
            await shop.store.orders.drop_index(index)
        timings["unindexed_ms"].append(await median_ms(1, lambda: shop.reports.dashboard(STAFF)))
        await shop.store.ensure_indexes()
    return {name: statistics.median(values) for name, values in timings.items()}


CAMPAIGNS = 20
"""Campaigns the orders are spread over (every fifth order has none)."""


async def campaign_times(shop: Shop, samples: int) -> dict[str, float]:
    """The campaigns report over the last 30 days and over all orders, each against the
    bare aggregation counting the 30 days' orders (timed interleaved, as the dashboard)."""
    for n in range(CAMPAIGNS):
        await shop.store.orders.update_many(
            {"number": {"$mod": [CAMPAIGNS + 5, n]}}, {"$set": {"campaign": f"campaign-{n}"}}
        )
    month = CampaignQuery(created_from=clock.now() - timedelta(days=30))
    bare: list[dict[str, Any]] = [
        {"$match": {"placed": True, "createdAt": {"$gte": month.created_from}}},
        {"$count": "n"},
    ]

    async def count() -> object:
        return await (await shop.store.orders.aggregate(bare)).to_list()

    await shop.campaign_reports.figures(STAFF, month)
    timings: dict[str, list[float]] = {"bare_ms": [], "month_ms": [], "all_ms": []}
    for _ in range(samples):
        timings["bare_ms"].append(await median_ms(1, count))
        timings["month_ms"].append(
            await median_ms(1, lambda: shop.campaign_reports.figures(STAFF, month))
        )
        timings["all_ms"].append(
            await median_ms(1, lambda: shop.campaign_reports.figures(STAFF, CampaignQuery()))
        )
    return {name: statistics.median(values) for name, values in timings.items()}


async def bare_read(shop: Shop) -> float:
    """Seconds for a bare cursor to read every order, in batches as the export does."""
    started = time.perf_counter()
    cursor = shop.store.orders.find({"placed": True}, batch_size=500)
    async for _ in cursor:
        pass
    return time.perf_counter() - started


async def export_figures(uri: str, shop: Shop) -> dict[str, float]:
    (operator,) = await seed.customers(shop, 1, first_telegram_id=9_000_001)
    await shop.accounts.set_role(SYSTEM, operator.user_id, Role.OPERATOR)
    user = await shop.users.get(operator.user_id)
    token = seed.TOKENS.issue(user).token
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = child_env(uri, DATABASE, API_PORT=str(port))
    log = RESULTS / "logs" / "reports-api.log"
    async with running("admin_api", env, log, answers(url + "/readyz")) as api:
        idle = api.peak_rss_mib()
        started = time.perf_counter()
        first_byte = 0.0
        lines = 0
        headers = {"Authorization": f"Bearer {token}"}
        async with (
            aiohttp.ClientSession() as http,
            http.get(url + "/api/exports/orders.csv", headers=headers) as reply,
        ):
            assert reply.status == 200, await reply.text()
            async for chunk in reply.content.iter_any():
                first_byte = first_byte or time.perf_counter() - started
                lines += chunk.count(b"\n")
        seconds = time.perf_counter() - started
        peak = api.peak_rss_mib()
    return {
        "rows": lines - 1,
        "seconds": seconds,
        "first_byte_ms": first_byte * 1000,
        "idle_rss_mib": idle,
        "peak_rss_mib": peak,
        "bare_seconds": await bare_read(shop),
    }


async def measure(uri: str, orders: int, samples: int) -> tuple[list[Table], dict[str, Any]]:
    async with shop_on(uri, DATABASE) as shop:
        buyers = await seed.customers(shop, CUSTOMERS)
        lines = await seed.products(shop, PRODUCTS, orders * PRODUCTS)
        await seed.orders(shop, orders, buyers, lines, DAYS)
        dashboard = await dashboard_times(shop, samples)
        campaigns = await campaign_times(shop, samples)
        export = await export_figures(uri, shop)
    board = Table(
        f"Reports: the dashboard over {orders} orders (median of {samples} calls)",
        ["read", "ms", "vs bare aggregation"],
    )
    bare = dashboard["bare_ms"]
    board.add("bare aggregation: count the 30 days' orders", bare, 1.0)
    board.add(
        "dashboard, with its indexes", dashboard["indexed_ms"], dashboard["indexed_ms"] / bare
    )
    board.add(
        "dashboard, indexes dropped", dashboard["unindexed_ms"], dashboard["unindexed_ms"] / bare
    )
    board.notes.append(
        f"Without indexes / with: {dashboard['unindexed_ms'] / dashboard['indexed_ms']:.2f} "
        "(the embedded engine ignores secondary indexes; see core/store.py)"
    )
    by_campaign = Table(
        f"Reports: orders and revenue by campaign over {orders} orders, {CAMPAIGNS} campaigns "
        f"(median of {samples} calls)",
        ["read", "ms", "vs bare aggregation"],
    )
    bare = campaigns["bare_ms"]
    by_campaign.add("bare aggregation: count the 30 days' orders", bare, 1.0)
    by_campaign.add("campaigns, last 30 days", campaigns["month_ms"], campaigns["month_ms"] / bare)
    by_campaign.add("campaigns, all orders", campaigns["all_ms"], campaigns["all_ms"] / bare)
    rate = export["rows"] / export["seconds"]
    bare_rate = export["rows"] / export["bare_seconds"]
    csv = Table(
        f"Reports: CSV export of {export['rows']:.0f} orders through the API",
        ["figure", "value", "baseline", "baseline value", "ratio"],
    )
    csv.add("rows/s", rate, "bare cursor rows/s", bare_rate, rate / bare_rate)
    csv.add("first byte ms", export["first_byte_ms"], "-", "-", "-")
    csv.add(
        "API peak RSS MiB while exporting",
        export["peak_rss_mib"],
        "idle API peak RSS MiB",
        export["idle_rss_mib"],
        export["peak_rss_mib"] / export["idle_rss_mib"],
    )
    data = {"dashboard": dashboard, "campaigns": campaigns, "export": export}
    return [board, by_campaign, csv], data
