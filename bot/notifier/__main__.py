"""``python -m bot.notifier``: the notifier alone, with the Stars refunder (run as many as
you like)."""

from __future__ import annotations

from bot.bootstrap import create_bot
from bot.config import BotSettings, require_token
from bot.notifier.config import NotifierSettings
from bot.notifier.worker import Notifier
from bot.refunder import StarRefunder
from core.config import load
from core.shop import Shop
from runtime.process import first_to_end, run_process


async def notify(shop: Shop, telegram: BotSettings, settings: NotifierSettings) -> None:
    """Send notifications, and beside them execute Stars refunds (``bot/refunder.py``)."""
    bot = create_bot(telegram, retry_replies=False)
    try:
        await first_to_end(
            Notifier.of(shop, bot, settings, telegram.default_language).run(),
            StarRefunder.of(shop, bot, settings).run(),
        )
    finally:
        await bot.session.close()


def main() -> None:
    telegram, settings = load(BotSettings), load(NotifierSettings)
    require_token(telegram, "the notifier")
    run_process(lambda shop: notify(shop, telegram, settings))


if __name__ == "__main__":
    main()
