"""Who is writing: the shop account linked to the Telegram user, looked up once per update."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer

from bot import staff_texts, texts
from core.accounts.access import Actor
from core.accounts.models import Language
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
        await refuse(event, data, texts.sign_up_first())
        return None


class StaffActor(BaseMiddleware):
    """Inner middleware of the staff routers: hands handlers ``actor``, the sender's account
    with its role as it is now, which core checks on every call. Someone without an account
    (a member of the operators' group who never signed up) is refused here."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if (account := data.get("customer")) is not None:
            data["actor"] = Actor.of(account)
            return await handler(event, data)
        await refuse(event, data, staff_texts.only_staff())
        return None


async def refuse(event: TelegramObject, data: dict[str, Any], text: str) -> None:
    """A short refusal: an alert for a button, a reply to a message."""
    if isinstance(event, CallbackQuery):
        answer: CallbackAnswer = data["callback_answer"]
        answer.text, answer.show_alert = text, True
    elif isinstance(event, Message):
        await event.answer(text)
