"""``python -m shop``: the database, HTTP API, bot and recovery in one process.

What ``./run`` starts. Without ``MONGODB_URI`` the embedded database comes up first;
without ``BOT_TOKEN`` the bot talks to the offline Bot API sandbox. In production each
part runs as its own process instead (see docker-compose.yml).
"""

from __future__ import annotations

import asyncio
import logging

from admin_api.app import run_api
from admin_api.config import ApiSettings
from admin_api.logs import configure_logging
from bot.bootstrap import run_bot
from bot.config import BotSettings
from bot.offline import telegram_for
from core.config import CoreSettings, ensure_generated_secret, load
from core.processes import run_until_stopped
from core.shop import database_uri, open_shop

log = logging.getLogger("shop")


async def run(core: CoreSettings, api: ApiSettings, telegram: BotSettings) -> None:
    async with (
        database_uri(core) as uri,
        open_shop(core, uri) as shop,
        telegram_for(telegram) as bot_settings,
    ):
        log.info("shop ready: API on http://%s:%d (docs at /api/docs)", api.api_host, api.api_port)
        await run_until_stopped(
            run_api(shop, api), run_bot(shop, bot_settings), shop.keep_recovering()
        )
    log.info("shop stopped")


def main() -> None:
    ensure_generated_secret()
    core, api, telegram = load(CoreSettings), load(ApiSettings), load(BotSettings)
    configure_logging(api.log_level)
    asyncio.run(run(core, api, telegram))


main()
