"""Database round trips per update on the bot's hot paths, and per checkout: a count, not a
time, so it is the same on every machine (``tests/bot/test_round_trips.py`` pins it).

The shop's client reports every command it sends to a ``CommandLog``; one customer, with
the bot polling a sandbox in this process, presses through the hot paths one update at a
time, and each update's commands are the ones sent between its press and its answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Any

from pymongo.monitoring import (
    CommandFailedEvent,
    CommandListener,
    CommandStartedEvent,
    CommandSucceededEvent,
)

from bench import seed
from bench.report import Table
from bench.stage import core_settings
from bot.bootstrap import create_bot, create_dispatcher
from bot.callbacks import AddToCart, CatalogPage, Checkout, CheckoutStep
from bot.config import BotSettings
from core.shop import open_shop
from sandbox import FakeUser
from sandbox.testing import polling, running_sandbox

PRODUCTS = 20
OPERATORS_CHAT = 4_000_001


class CommandLog(CommandListener):
    """The commands sent to one database, as ``"<command> <collection>"``, in order."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.commands: list[str] = []

    def started(self, event: CommandStartedEvent) -> None:
        if event.database_name == self.database:
            target = event.command.get(event.command_name)
            self.commands.append(f"{event.command_name} {target}")

    def succeeded(self, event: CommandSucceededEvent) -> None:
        """Only the start of a command counts."""

    def failed(self, event: CommandFailedEvent) -> None:
        """Only the start of a command counts."""

    async def during(self, action: Awaitable[Any]) -> list[str]:
        """The commands sent while ``action`` ran."""
        start = len(self.commands)
        await action
        return self.commands[start:]


async def hot_paths(uri: str) -> dict[str, list[str]]:
    """The commands of one update per hot path (a catalog page, an add to a cart that
    exists, confirming the checkout summary of two lines), and of core's checkout of one
    line without an idempotency key as ``bench/checkout_load.py`` places orders (its API
    request also reads the caller's account); keyed by path. New orders are announced in
    an operators' chat, as in the checkout benchmark."""
    database = f"bench_trips_{uuid.uuid4().hex[:8]}"
    log = CommandLog(database)
    paths: dict[str, list[str]] = {}
    core = core_settings(database).model_copy(update={"operator_chat_id": OPERATORS_CHAT})
    async with open_shop(core, uri, listeners=[log]) as shop:
        try:
            products = await seed.products(shop, PRODUCTS, 1_000)
            buyer, other = await seed.customers(shop, 2)
            async with running_sandbox() as server:
                sandbox = server.sandbox
                settings = BotSettings(
                    _env_file=None, bot_token=sandbox.token, bot_api_base_url=server.url
                )
                dispatcher = create_dispatcher(shop, settings)
                async with polling(dispatcher, create_bot(settings), sandbox):
                    user = FakeUser.create(sandbox, buyer.telegram_id)
                    await user.send("/catalog")  # the first update keeps the language
                    page = CatalogPage(page=2).pack()
                    paths["catalog page"] = await log.during(user.send_callback(page))
                    for product in products[:2]:  # the first makes the cart
                        add = AddToCart(product_id=str(product), quantity=1).pack()
                        paths["add to cart"] = await log.during(user.send_callback(add))
                    await user.send("/cart")  # a message to confirm on
                    version = (await shop.carts.get(buyer.user_id)).version
                    confirm = Checkout(step=CheckoutStep.CONFIRM, version=version).pack()
                    paths["checkout (bot)"] = await log.during(user.send_callback(confirm))
            await seed.carts(shop, [other], products[:1])
            paths["checkout (API)"] = await log.during(shop.checkout.place_order(other.user_id))
        finally:
            await shop.client.drop_database(database)
    return paths


async def measure(uri: str) -> tuple[Table, dict[str, Any]]:
    """The round trips per path, and in the data each path's commands."""
    table = Table("Database round trips per update", ["path", "round trips"])
    paths = await hot_paths(uri)
    for path, commands in paths.items():
        table.add(path, len(commands))
    return table, paths
