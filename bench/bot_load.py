"""2. Bot: updates per second through the shop's dispatcher against an aiogram echo bot.

Each bot runs as a child process polling its own Bot API sandbox, served by this process.
Customers (linked accounts, 60 products) press catalog-page and add-to-cart buttons in
bursts of ``rounds`` presses each; a burst is done when every callback query is answered.
Both bots run throughout, and their bursts take turns, ``REPEATS`` of each per scenario:
the ratio is the median of each shop burst against the echo burst right after it, so a
machine whose load changes during the run moves both sides of a ratio alike.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from statistics import median
from typing import Any

from bson import ObjectId

from bench import seed
from bench.processes import Child, running
from bench.report import Table
from bench.stage import RESULTS, child_env, shop_on
from bot.callbacks import AddToCart, CatalogPage
from sandbox import FakeUser, Sandbox
from sandbox.models import CallbackQuery
from sandbox.testing import running_sandbox

CUSTOMERS = 32
CATALOG = 60
PAGES = CATALOG // 6  # the bot's default page size
BURST_TIMEOUT = 300
REPEATS = 3
RATIO_TARGET = 0.5
BOTS = (("shop", "bot"), ("echo", "bench.echo_bot"))

Presses = Callable[[int], str]


def scenarios(products: Sequence[ObjectId]) -> dict[str, Presses]:
    """Callback data of press number ``n`` of a customer, per scenario."""
    return {
        "catalog page": lambda n: CatalogPage(page=n % (PAGES - 1) + 2).pack(),
        "add to cart": lambda n: AddToCart(product_id=str(products[n % 20]), quantity=1).pack(),
    }


async def burst(sandbox: Sandbox, users: Sequence[FakeUser], rounds: int, data: Presses) -> float:
    """Seconds until the bot answered ``rounds`` presses of every user, sent at once."""
    started = time.perf_counter()
    queries = [sandbox.send_callback(u.id, data(n)) for n in range(rounds) for u in users]
    done = 0

    def all_answered() -> bool:
        nonlocal done
        while done < len(queries) and queries[done].answered:
            done += 1
        return done == len(queries)

    await sandbox.wait_until(all_answered, BURST_TIMEOUT, lambda: _unanswered(queries))
    return time.perf_counter() - started


def _unanswered(queries: Sequence[CallbackQuery]) -> str:
    return f"{sum(not q.answered for q in queries)} of {len(queries)} callbacks answered"


async def measure(uri: str, rounds: int, memory: Table) -> tuple[Table, dict[str, Any]]:
    table = Table(
        f"Bot, {CUSTOMERS} customers x {rounds} presses per scenario, {REPEATS} turns each "
        "(sandbox, bot and engine share the cores)",
        ["updates", "shop updates/s", "echo updates/s", "ratio"],
    )
    rates: dict[str, dict[str, list[float]]] = {}
    peak_rss: dict[str, float] = {}
    async with shop_on(uri, "bench_bot") as shop, contextlib.AsyncExitStack() as stack:
        products = await seed.products(shop, CATALOG, 1_000_000)
        customers = await seed.customers(shop, CUSTOMERS)
        bots: dict[str, tuple[Sandbox, list[FakeUser], Child]] = {}
        for name, module in BOTS:
            server = await stack.enter_async_context(running_sandbox())
            sandbox = server.sandbox
            env = child_env(uri, "bench_bot", BOT_TOKEN=sandbox.token, BOT_API_BASE_URL=server.url)
            log = RESULTS / "logs" / f"{name}-bot.log"

            async def polling(sandbox: Sandbox = sandbox) -> bool:
                return sandbox.polls > 0

            child = await stack.enter_async_context(running(module, env, log, polling))
            users = [FakeUser.create(sandbox, c.telegram_id) for c in customers]
            for user in users:  # a message to press buttons on
                await user.send("/catalog")
            bots[name] = (sandbox, users, child)
        for scenario, data in scenarios(products).items():
            for _ in range(REPEATS):
                for name, (sandbox, users, _) in bots.items():
                    seconds = await burst(sandbox, users, rounds, data)
                    turns = rates.setdefault(scenario, {}).setdefault(name, [])
                    turns.append(len(users) * rounds / seconds)
        peak_rss = {name: child.peak_rss_mib() for name, (_, _, child) in bots.items()}
    for scenario, rate in rates.items():
        ratios = [shop / echo for shop, echo in zip(rate["shop"], rate["echo"], strict=True)]
        table.add(scenario, median(rate["shop"]), median(rate["echo"]), median(ratios))
    table.notes.append(f"Target: ratio >= {RATIO_TARGET}.")
    memory.add("bot (python -m bot)", peak_rss["shop"], "echo bot", peak_rss["echo"],
               peak_rss["shop"] / peak_rss["echo"])  # fmt: skip
    return table, {"updates_per_second": rates, "peak_rss_mib": peak_rss}
