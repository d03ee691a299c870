"""``python -m bot.delivery``: the delivery worker alone (run as many as you like)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.bootstrap import create_bot
from bot.config import BotSettings
from bot.delivery.config import DeliverySettings
from bot.delivery.worker import DeliveryWorker
from core.config import ConfigError, CoreSettings, ensure_generated_secret, load
from core.processes import run_until_stopped
from core.shop import database_uri, open_shop


async def run(core: CoreSettings, telegram: BotSettings, delivery: DeliverySettings) -> None:
    async with database_uri(core) as uri, open_shop(core, uri) as shop:
        bot = create_bot(telegram, retry_replies=False)
        lease = timedelta(seconds=core.checkout_lease_seconds)
        worker = DeliveryWorker(shop.outbox, bot, delivery, lease)
        try:
            await run_until_stopped(worker.run(), shop.keep_recovering())
        finally:
            await bot.session.close()


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    ensure_generated_secret()
    core, telegram, delivery = load(CoreSettings), load(BotSettings), load(DeliverySettings)
    if telegram.bot_token is None:
        raise ConfigError("configuration error: BOT_TOKEN is required by the delivery worker")
    asyncio.run(run(core, telegram, delivery))


main()
