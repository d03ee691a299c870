"""``python -m bot.delivery``: the delivery worker alone (run as many as you like)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.config import BotSettings, require_token
from bot.delivery.config import DeliverySettings
from core.config import load
from runtime.process import run_process

if TYPE_CHECKING:
    from core.shop import Shop


async def deliver(shop: Shop, telegram: BotSettings, delivery: DeliverySettings) -> None:
    # aiogram takes seconds to import: only once the settings were found complete
    from bot.bootstrap import create_bot
    from bot.delivery.worker import DeliveryWorker

    bot = create_bot(telegram, retry_replies=False)
    try:
        await DeliveryWorker.of(shop, bot, delivery, telegram.default_language).run()
    finally:
        await bot.session.close()


def main() -> None:
    telegram, delivery = load(BotSettings), load(DeliverySettings)
    require_token(telegram, "the delivery worker")
    run_process(lambda shop: deliver(shop, telegram, delivery))


main()
