"""5. Payments: how fast the bot answers pre-checkout queries, against Telegram's 10 s limit.

The shop's bot (``python -m bot``, card payments through a provider) and the echo bot
(which approves every query without looking) each poll their own Bot API sandbox, served
by this process. 50 customers, each with a placed order, pay at once, ``rounds`` times:
every round sends their 50 pre-checkout queries together and waits for all the answers.
Each latency is from the query's update being queued to the bot's answer; the shop's
answers must all be yes (a no would not be the same work).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Sequence
from typing import Any

from bench import seed
from bench.processes import running
from bench.report import Table
from bench.stage import RESULTS, child_env, shop_on
from core.sales.commands import CartChange
from core.sales.models import Order
from core.sales.payments import payload_of
from sandbox import Sandbox
from sandbox.payments import PRE_CHECKOUT_TIMEOUT
from sandbox.testing import running_sandbox

PAYERS = 50
BOTS = (("shop", "bot"), ("echo", "bench.echo_bot"))
PROVIDER = {"PAYMENT_METHODS": "provider", "PAYMENT_PROVIDER_TOKEN": "1:TEST:bench"}


async def _round(sandbox: Sandbox, orders: Sequence[tuple[int, Order]]) -> list[float]:
    """Every payer's pre-checkout query at once; each one's seconds until answered."""

    async def timed(telegram_id: int, order: Order) -> float:
        started = time.perf_counter()
        query = sandbox.payments.start_checkout(
            telegram_id,
            currency=order.currency,
            total_amount=order.total_amount,
            invoice_payload=payload_of(order),
        )
        await sandbox.payments.wait_answer(query)
        if not query.ok:
            raise RuntimeError(f"pre-checkout {query.id} refused: {query.error_message}")
        return time.perf_counter() - started

    return list(await asyncio.gather(*(timed(payer, order) for payer, order in orders)))


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure(uri: str, rounds: int) -> tuple[Table, dict[str, Any]]:
    table = Table(
        f"Pre-checkout answers, {PAYERS} payers at once x {rounds} rounds (sandbox, bot and "
        "engine share the cores)",
        ["bot", "p50 ms", "p99 ms", "max ms", "max of the 10 s limit"],
    )
    latencies: dict[str, list[float]] = {}
    async with shop_on(uri, "bench_payments") as shop:
        (product,) = await seed.products(shop, 1, 1_000_000)
        customers = await seed.customers(shop, PAYERS)
        orders = []
        for customer in customers:
            await shop.carts.add(customer.user_id, CartChange(product_id=product, quantity=1))
            placed = await shop.checkout.place_order(customer.user_id)
            orders.append((customer.telegram_id, placed))
        for name, module in BOTS:
            async with running_sandbox() as server:
                sandbox = server.sandbox
                for telegram_id, _ in orders:
                    sandbox.add_user(telegram_id, "Payer")
                env = child_env(
                    uri,
                    "bench_payments",
                    BOT_TOKEN=sandbox.token,
                    BOT_API_BASE_URL=server.url,
                    **PROVIDER,
                )
                log = RESULTS / "logs" / f"{name}-payments-bot.log"

                async def polling(sandbox: Sandbox = sandbox) -> bool:
                    return sandbox.polls > 0

                async with running(module, env, log, polling):
                    await _round(sandbox, orders[:1])  # warm up: connections, imports
                    samples = latencies.setdefault(name, [])
                    for _ in range(rounds):
                        samples += await _round(sandbox, orders)
    for name, samples in latencies.items():
        worst = max(samples)
        table.add(
            name,
            statistics.median(samples) * 1000,
            _percentile(samples, 0.99) * 1000,
            worst * 1000,
            f"{worst / PRE_CHECKOUT_TIMEOUT:.1%}",
        )
    table.notes.append(
        "Each shop answer reads the order and writes its payment hold (one guarded update)."
    )
    data = {name: {"p50": statistics.median(s), "p99": _percentile(s, 0.99), "max": max(s)}
            for name, s in latencies.items()}  # fmt: skip
    return table, {"seconds": data, "payers": PAYERS, "rounds": rounds}
