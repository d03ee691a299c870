"""The delivery worker in tests: running in process beside the bot, and waiting for a
broadcast to be sent."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from bot.bootstrap import create_bot
from bot.config import BotSettings
from bot.delivery.config import DeliverySettings
from bot.delivery.worker import DeliveryWorker
from core.accounts.access import Actor
from core.accounts.models import Role
from core.messaging.models import BroadcastProgress
from core.shop import Shop

STAFF = Actor(None, Role.OPERATOR)
FAST = {"delivery_idle_seconds": 0.02, "telegram_chat_messages_per_second": 20}
"""Worker settings for tests: looking for work often, and many messages a chat a second."""


def delivery_settings(**overrides: Any) -> DeliverySettings:
    return DeliverySettings(_env_file=None, **{**FAST, **overrides})


@contextlib.asynccontextmanager
async def working(shop: Shop, bot_settings: BotSettings, **options: Any) -> AsyncIterator[None]:
    """A delivery worker sending until the block ends."""
    bot = create_bot(bot_settings, retry_replies=False)
    settings = delivery_settings(**options)
    worker = DeliveryWorker.of(shop, bot, settings, bot_settings.default_language)
    task = asyncio.create_task(worker.run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await bot.session.close()


async def settled(shop: Shop, broadcast_id: object, timeout: float = 60) -> BroadcastProgress:
    """Progress of a broadcast once nothing is left to send."""
    async with asyncio.timeout(timeout):
        while (progress := await shop.broadcasts.progress(STAFF, broadcast_id)).remaining:
            await asyncio.sleep(0.05)
    return progress
