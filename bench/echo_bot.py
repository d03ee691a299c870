"""``python -m bench.echo_bot``: the bot benchmark's baseline, an aiogram echo bot.

It makes the Telegram calls the shop's handlers make for the same updates, and nothing
else: a page callback edits the message and answers, any other callback only answers, a
pre-checkout query is approved.
Reads ``BOT_TOKEN`` and ``BOT_API_BASE_URL`` like the shop's bot, and logs the same way.
"""

from __future__ import annotations

import asyncio
import logging
import os

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message, PreCheckoutQuery

from bot.callbacks import CatalogPage
from bot.screens import NOT_MODIFIED


async def echo(message: Message) -> None:
    await message.answer(message.text or "?")


async def edit_and_answer(query: CallbackQuery) -> None:
    """Edit like the shop's screens do, which also let an unchanged page be."""
    if isinstance(query.message, Message):
        try:
            await query.message.edit_text(query.data or "?")
        except TelegramBadRequest as error:
            if NOT_MODIFIED not in error.message:
                raise
    await query.answer()


async def answer(query: CallbackQuery) -> None:
    await query.answer(query.data)


async def approve(query: PreCheckoutQuery) -> None:
    await query.answer(ok=True)


async def main() -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["BOT_API_BASE_URL"]))
    bot = Bot(os.environ["BOT_TOKEN"], session=session)
    dispatcher = Dispatcher()
    dispatcher.message.register(echo)
    dispatcher.callback_query.register(edit_and_answer, CatalogPage.filter())
    dispatcher.callback_query.register(answer)
    dispatcher.pre_checkout_query.register(approve)
    await dispatcher.start_polling(bot)


if __name__ == "__main__":
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    asyncio.run(main())
