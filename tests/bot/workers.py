"""The notifier in tests: running in process beside the bot (with the Stars refunder), and
waiting for a broadcast to be sent."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from bot.bootstrap import create_bot
from bot.config import BotSettings
from bot.notifier.config import NotifierSettings
from bot.notifier.worker import Notifier
from bot.refunder import StarRefunder
from core.accounts.access import Actor
from core.accounts.models import Role
from core.messaging.models import FINAL_STATES, BroadcastProgress
from core.shop import Shop
from runtime.process import first_to_end

STAFF = Actor(None, Role.OPERATOR)
FAST = {"notifier_idle_seconds": 0.02, "telegram_chat_messages_per_second": 20}
"""Notifier settings for tests: looking for work often, and many messages a chat a second."""


def notifier_settings(**overrides: Any) -> NotifierSettings:
    return NotifierSettings(_env_file=None, **{**FAST, **overrides})


@contextlib.asynccontextmanager
async def working(shop: Shop, bot_settings: BotSettings, **options: Any) -> AsyncIterator[None]:
    """A notifier sending (and a refunder refunding) until the block ends."""
    bot = create_bot(bot_settings, retry_replies=False)
    settings = notifier_settings(**options)
    worker = Notifier.of(shop, bot, settings, bot_settings.default_language)
    refunder = StarRefunder.of(shop, bot, settings)
    task = asyncio.create_task(first_to_end(worker.run(), refunder.run()))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await bot.session.close()


async def notice_settled(shop: Shop, query: dict[str, Any], timeout: float = 30) -> dict[str, Any]:
    """The stored notice matching ``query`` once the notifier has recorded how it ended: the
    chat can receive a message a moment before its notice is marked sent."""
    async with asyncio.timeout(timeout):
        while True:
            stored = await shop.store.notifications.find_one(query)
            if stored is not None and stored["state"] in {state.value for state in FINAL_STATES}:
                return stored
            await asyncio.sleep(0.02)


async def settled(shop: Shop, broadcast_id: object, timeout: float = 60) -> BroadcastProgress:
    """Progress of a broadcast once nothing is left to send."""
    async with asyncio.timeout(timeout):
        while (progress := await shop.broadcasts.progress(STAFF, broadcast_id)).remaining:
            await asyncio.sleep(0.05)
    return progress
