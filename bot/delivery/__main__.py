"""``python -m bot.delivery``: the delivery worker alone (run as many as you like)."""

from __future__ import annotations

from bot.bootstrap import create_bot
from bot.config import BotSettings, require_token
from bot.delivery.config import DeliverySettings
from bot.delivery.worker import DeliveryWorker
from core.config import load
from core.shop import Shop
from runtime.process import run_process


async def deliver(shop: Shop, telegram: BotSettings, delivery: DeliverySettings) -> None:
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
