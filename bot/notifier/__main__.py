"""``python -m bot.notifier``: the notifier alone, with the Stars refunder (run as many as
you like)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.config import BotSettings, require_token
from bot.notifier.config import NotifierSettings
from core.config import load
from runtime.process import first_to_end, run_process, start

if TYPE_CHECKING:
    from core.shop import Shop


async def notify(shop: Shop, telegram: BotSettings, settings: NotifierSettings) -> None:
    """Send notifications, and beside them execute Stars refunds (``bot/refunder.py``)."""
    # aiogram takes seconds to import: only once the settings were found complete
    from bot.bootstrap import check_token, create_bot
    from bot.notifier.worker import Notifier
    from bot.refunder import StarRefunder

    bot = create_bot(telegram, retry_replies=False)
    try:
        await check_token(bot)
        await first_to_end(
            Notifier.of(shop, bot, settings, telegram.default_language).run(),
            StarRefunder.of(shop, bot, settings).run(),
        )
    finally:
        await bot.session.close()


def main() -> None:
    telegram, settings = load(BotSettings), load(NotifierSettings)
    require_token(telegram, "the notifier")
    run_process(lambda shop: notify(shop, telegram, settings), name="notifier")


if __name__ == "__main__":
    start(main, name="notifier")
