"""The one place where failures become replies: core's refusals as their own short message,
anything unexpected as an apology (and a log line). Callback queries get an alert."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from aiogram import BaseMiddleware, html
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer

from bot import texts
from core.errors import DomainError, InvalidInput

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


def explain(error: DomainError) -> str:
    """Core's message, with the first invalid field's problem when there is one."""
    if isinstance(error, InvalidInput) and error.errors:
        field = error.errors[0]
        name = re.sub(r"(?<!^)(?=[A-Z])", " ", str(field.loc[-1])).lower() if field.loc else ""
        return f"{name.capitalize()}: {field.message}." if name else f"{field.message}."
    return error.message


class ErrorReplies(BaseMiddleware):
    """Inner middleware for messages and callback queries, inside ``CallbackAnswerMiddleware``."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        except DomainError as error:
            await _reply(event, data, explain(error))
        except Exception:
            log.exception(
                "handler failed",
                extra={"update_id": getattr(data.get("event_update"), "update_id", None)},
            )
            await _reply(event, data, texts.UNEXPECTED)
        return None


async def _reply(event: TelegramObject, data: dict[str, Any], text: str) -> None:
    if isinstance(event, CallbackQuery):
        answer: CallbackAnswer = data["callback_answer"]
        answer.text, answer.show_alert = texts.clip(text), True
    elif isinstance(event, Message):
        with suppress(TelegramAPIError):
            await event.answer(html.quote(text))
