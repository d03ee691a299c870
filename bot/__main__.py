"""``python -m bot``: the Telegram bot alone, by long polling or webhook (``BOT_MODE``)."""

from __future__ import annotations

import asyncio

from bot.bootstrap import run_bot
from bot.config import BotSettings, require_token
from core.config import CoreSettings, ensure_generated_secret, load
from core.logs import LogSettings, configure_logging
from core.processes import run_until_stopped
from core.shop import database_uri, open_shop


async def run(core_settings: CoreSettings, bot_settings: BotSettings) -> None:
    async with (
        database_uri(core_settings) as uri,
        open_shop(core_settings, uri) as shop,
    ):
        await run_until_stopped(run_bot(shop, bot_settings), shop.keep_recovering())


def main() -> None:
    configure_logging(load(LogSettings))
    ensure_generated_secret()
    core_settings, bot_settings = load(CoreSettings), load(BotSettings)
    require_token(bot_settings, "the bot")
    asyncio.run(run(core_settings, bot_settings))


main()
