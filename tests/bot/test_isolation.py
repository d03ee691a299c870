"""Two bot processes behind one webhook URL: one user's updates are handled one at a time
across them (a lease in the database), not only within each process."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.types import TelegramObject, Update

from bot.bootstrap import create_bot, create_dispatcher
from core.base.leases import Leases
from core.shop import Shop
from core.store import Collection
from sandbox import FakeUser, SandboxServer
from tests.bot.chat import Customer, make_bot_settings

WAIT = 10.0


class WatchedLeases(Leases):
    """The real leases, telling the test when an acquire was refused."""

    def __init__(self, collection: Collection, refused: asyncio.Event) -> None:
        super().__init__(collection)
        self.refused = refused
        self.refusals = 0

    async def try_acquire(self, name: str, owner: str, ttl: timedelta) -> bool:
        taken = await super().try_acquire(name, owner, ttl)
        if not taken:
            self.refusals += 1
            self.refused.set()
        return taken


Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class Probe(BaseMiddleware):
    """Records entering and leaving a handler (inside the isolation's lock)."""

    def __init__(
        self,
        name: str,
        log: list[str],
        entered: asyncio.Event,
        hold_until: asyncio.Event | None = None,
    ) -> None:
        self.name, self.log, self.entered, self.hold_until = name, log, entered, hold_until

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        self.log.append(f"{self.name} in")
        self.entered.set()
        if self.hold_until is not None:
            await asyncio.wait_for(self.hold_until.wait(), WAIT)
        try:
            return await handler(event, data)
        finally:
            self.log.append(f"{self.name} out")


def next_update(player: FakeUser, text: str, bot: Bot) -> Update:
    """``text`` from ``player`` as the Update Telegram would deliver (taken off the queue)."""
    player.sandbox.user_sends(player.id, text)
    return Update.model_validate(player.sandbox.updates.pop(), context={"bot": bot})


async def test_two_dispatchers_on_one_database_take_one_users_updates_in_turn(
    shop: Shop, sandbox_server: SandboxServer, customer: Customer
) -> None:
    settings = make_bot_settings(
        sandbox_server, bot_mode="webhook", webhook_url="https://shop.example/hook"
    )
    alice, _ = await customer("Alice")
    log: list[str] = []
    first_in, go = asyncio.Event(), asyncio.Event()
    # The first holds its update until the second was refused the lease (or, without
    # isolation across processes, got in alongside it): both set ``go``.
    first_probe = Probe("first", log, entered=first_in, hold_until=go)
    second_probe = Probe("second", log, entered=go)
    watched = WatchedLeases(shop.store.leases, refused=go)
    second_shop = dataclasses.replace(shop, leases=watched)
    dispatchers: list[Dispatcher] = []
    for served, probe in ((shop, first_probe), (second_shop, second_probe)):
        dispatcher = create_dispatcher(served, settings)
        dispatcher.message.outer_middleware(probe)
        dispatchers.append(dispatcher)
    bot = create_bot(settings)
    try:
        first = asyncio.create_task(
            dispatchers[0].feed_update(bot, next_update(alice, "/help", bot))
        )
        await asyncio.wait_for(first_in.wait(), WAIT)
        second = asyncio.create_task(
            dispatchers[1].feed_update(bot, next_update(alice, "/cart", bot))
        )
        await asyncio.wait_for(asyncio.gather(first, second), WAIT * 2)
    finally:
        await bot.session.close()
    assert log == ["first in", "first out", "second in", "second out"]
    assert watched.refusals > 0
    assert await shop.store.leases.count_documents({}) == 0
