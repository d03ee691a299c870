"""``python -m shop``: the database, HTTP API, bot, notifier and recovery in one
process.

What ``./run`` starts. Without ``MONGODB_URI`` the embedded database comes up first;
without ``BOT_TOKEN`` the bot talks to the offline Bot API sandbox. In production each
part runs as its own process instead (see docker-compose.yml).
"""

from __future__ import annotations

import logging

from admin_api.app import run_api
from admin_api.config import ApiSettings
from bot.bootstrap import create_bot, run_bot
from bot.config import BotSettings
from bot.notifier.config import NotifierSettings
from bot.notifier.worker import Notifier
from bot.refunder import StarRefunder
from core.config import load
from core.shop import Shop
from runtime.process import first_to_end, run_process, start
from shop.chat_page import with_chat_page
from shop.offline import telegram_for

log = logging.getLogger("shop")


async def serve(
    shop: Shop, api: ApiSettings, telegram: BotSettings, notifier: NotifierSettings
) -> None:
    known_user_id = await shop.users.highest_telegram_id()  # new sandbox users go above it
    offline = telegram_for(telegram, shop.settings.operator_chat_id, known_user_id)
    async with offline as bot_settings:
        api = with_chat_page(api, telegram, bot_settings)
        log.info("shop ready: API on http://%s:%d (docs at /api/docs)", api.api_host, api.api_port)
        sender = create_bot(bot_settings, retry_replies=False)
        try:
            await first_to_end(
                run_api(shop, api),
                run_bot(shop, bot_settings),
                Notifier.of(shop, sender, notifier, telegram.default_language).run(),
                StarRefunder.of(shop, sender, notifier).run(),
            )
        finally:
            await sender.session.close()
    log.info("shop stopped")


def main() -> None:
    api, telegram, notifier = load(ApiSettings), load(BotSettings), load(NotifierSettings)
    run_process(lambda shop: serve(shop, api, telegram, notifier), name="shop")


start(main)
