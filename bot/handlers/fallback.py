"""Whatever no other handler took: stale or forged buttons, stray messages."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot import texts


async def stale_button(query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    callback_answer.text, callback_answer.show_alert = texts.stale_button(), True


async def not_understood(message: Message) -> None:
    await message.answer(texts.not_understood())


def build_router() -> Router:
    router = Router(name="fallback")
    router.callback_query.register(stale_button)
    router.message.register(not_understood)
    return router
