"""``python -m bot.delivery``: the delivery worker alone (run as many as you like)."""

from __future__ import annotations

import asyncio

from bot.bootstrap import create_bot
from bot.config import BotSettings, require_token
from bot.delivery.config import DeliverySettings
from bot.delivery.worker import DeliveryWorker
from core.config import CoreSettings, ensure_generated_secret, load
from core.logs import LogSettings, configure_logging
from core.processes import run_until_stopped
from core.shop import database_uri, open_shop


async def run(core: CoreSettings, telegram: BotSettings, delivery: DeliverySettings) -> None:
    async with database_uri(core) as uri, open_shop(core, uri) as shop:
        bot = create_bot(telegram, wait_out_flood=False)
        worker = DeliveryWorker.of(shop, bot, delivery)
        try:
            await run_until_stopped(worker.run(), shop.keep_recovering())
        finally:
            await bot.session.close()


def main() -> None:
    configure_logging(load(LogSettings))
    ensure_generated_secret()
    core, telegram, delivery = load(CoreSettings), load(BotSettings), load(DeliverySettings)
    require_token(telegram, "the delivery worker")
    asyncio.run(run(core, telegram, delivery))


main()
