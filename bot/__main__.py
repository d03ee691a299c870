"""``python -m bot``: the Telegram bot alone, by long polling or webhook (``BOT_MODE``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.bootstrap import create_bot, create_dispatcher
from bot.config import BotMode, BotSettings
from bot.offline import telegram_for
from bot.webhook import serve_webhook
from core.config import CoreSettings, ensure_generated_secret, load
from core.shop import database_uri, open_shop


async def run(core_settings: CoreSettings, bot_settings: BotSettings) -> None:
    async with (
        database_uri(core_settings) as uri,
        open_shop(core_settings, uri) as shop,
        telegram_for(bot_settings) as settings,
    ):
        bot = create_bot(settings)
        dispatcher = create_dispatcher(shop, settings)
        recovering = asyncio.create_task(shop.keep_recovering())
        try:
            if settings.bot_mode is BotMode.WEBHOOK:
                await serve_webhook(dispatcher, bot, settings)
            else:
                await dispatcher.start_polling(bot)
        finally:
            recovering.cancel()


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    ensure_generated_secret()
    core_settings, bot_settings = load(CoreSettings), load(BotSettings)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(core_settings, bot_settings))


main()
