"""The one place where failures become replies: core's refusals as their own short message
(in the reader's language, ``texts.refusal``), anything unexpected as an apology (and a log
line). Callback queries get an alert. A chat that refuses the bot (the user blocked it, the
group removed it) gets nothing more: Telegram would refuse the apology too. An unreachable
database is no answer: the update is handled again (``bot/polling.py``; in webhook mode
Telegram sends it again)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from aiogram import BaseMiddleware, html
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer
from pymongo.errors import ConnectionFailure

from bot import texts
from core.base.errors import DomainError

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class ErrorReplies(BaseMiddleware):
    """Inner middleware for messages and callback queries, inside ``CallbackAnswerMiddleware``."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        except DomainError as error:
            await _reply(event, data, texts.refusal(error))
        except ConnectionFailure:
            raise  # the database is unreachable: the update is handled again later
        except TelegramForbiddenError as refused:
            chat = data.get("event_chat")
            log.info(
                "no reply: %s",
                refused.message,
                extra={"chat_id": None if chat is None else chat.id},
            )
        except Exception:
            log.exception(
                "handler failed",
                extra={"update_id": getattr(data.get("event_update"), "update_id", None)},
            )
            await _reply(event, data, texts.unexpected())
        return None


async def _reply(event: TelegramObject, data: dict[str, Any], text: str) -> None:
    if isinstance(event, CallbackQuery):
        answer: CallbackAnswer = data["callback_answer"]
        answer.text, answer.show_alert = texts.clip(text), True
    elif isinstance(event, Message):
        with suppress(TelegramAPIError):
            await event.answer(html.quote(text))
