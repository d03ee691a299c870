"""Who is writing: the shop account linked to the Telegram user, looked up once per update."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer

from bot import texts
from core.models import Language
from core.shop import Shop

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class CustomerLookup(BaseMiddleware):
    """Outer middleware: hands handlers ``customer``, the linked ``User`` or ``None``."""

    def __init__(self, shop: Shop) -> None:
        self._shop = shop

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        sender = data.get("event_from_user")
        customer = None if sender is None else await self._shop.users.by_telegram(sender.id)
        if customer is not None:
            language = Language.of(sender.language_code) if sender else None
            customer = await self._shop.users.back_on_telegram(customer, language)
        data["customer"] = customer
        return await handler(event, data)


class MembersOnly(BaseMiddleware):
    """Inner middleware of the routers that need an account: others are asked to sign up."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if data.get("customer") is not None:
            return await handler(event, data)
        if isinstance(event, CallbackQuery):
            answer: CallbackAnswer = data["callback_answer"]
            answer.text, answer.show_alert = texts.sign_up_first(), True
        elif isinstance(event, Message):
            await event.answer(texts.sign_up_first())
        return None
