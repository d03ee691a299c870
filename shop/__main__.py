"""``python -m shop``: the database, HTTP API, bot, delivery worker and recovery in one
process.

What ``./run`` starts. Without ``MONGODB_URI`` the embedded database comes up first;
without ``BOT_TOKEN`` the bot talks to the offline Bot API sandbox. In production each
part runs as its own process instead (see docker-compose.yml).
"""

from __future__ import annotations

import asyncio
import logging

from admin_api.app import run_api
from admin_api.config import ApiSettings
from bot.bootstrap import create_bot, run_bot
from bot.config import BotSettings
from bot.delivery.config import DeliverySettings
from bot.delivery.worker import DeliveryWorker
from core.config import CoreSettings, ensure_generated_secret, load
from core.logs import LogSettings, configure_logging
from core.processes import run_until_stopped
from core.shop import database_uri, open_shop
from shop.chat_page import with_chat_page
from shop.offline import telegram_for

log = logging.getLogger("shop")


async def run(
    core: CoreSettings, api: ApiSettings, telegram: BotSettings, delivery: DeliverySettings
) -> None:
    async with (
        database_uri(core) as uri,
        open_shop(core, uri) as shop,
        telegram_for(telegram) as bot_settings,
    ):
        api = with_chat_page(api, telegram, bot_settings)
        log.info("shop ready: API on http://%s:%d (docs at /api/docs)", api.api_host, api.api_port)
        sender = create_bot(bot_settings, wait_out_flood=False)
        try:
            await run_until_stopped(
                run_api(shop, api),
                run_bot(shop, bot_settings),
                DeliveryWorker.of(shop, sender, delivery).run(),
                shop.keep_recovering(),
            )
        finally:
            await sender.session.close()
    log.info("shop stopped")


def main() -> None:
    ensure_generated_secret()
    core, api, telegram = load(CoreSettings), load(ApiSettings), load(BotSettings)
    delivery = load(DeliverySettings)
    configure_logging(load(LogSettings))
    asyncio.run(run(core, api, telegram, delivery))


main()
