"""``python -m bot``: the Telegram bot alone, by long polling or webhook (``BOT_MODE``)."""

from __future__ import annotations

from bot.config import BotSettings, require_token
from core.config import load
from runtime.process import run_process, start


def main() -> None:
    settings = load(BotSettings)
    require_token(settings, "the bot")
    from bot.bootstrap import run_bot  # aiogram takes seconds to import: settings first

    run_process(lambda shop: run_bot(shop, settings), name="bot")


start(main, name="bot")
