"""aiogram reads each Bot API answer as ``Response[<the method's result type>]``, a pydantic
generic model made on demand. Pydantic keeps such a model only while something else holds
it, so a busy bot built ``Response[Message | bool]`` (its whole schema) again and again:
a twentieth of a catalog page's work. ``KeepResponseTypes`` holds one per method type."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

if TYPE_CHECKING:
    from aiogram import Bot


class KeepResponseTypes(BaseRequestMiddleware):
    """Session middleware: the first request of each method type makes its response model,
    which then lives as long as the session."""

    def __init__(self) -> None:
        self._kept: dict[type[TelegramMethod[Any]], type[Response[Any]]] = {}

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        kind = type(method)
        if kind not in self._kept:
            self._kept[kind] = Response[method.__returning__]  # type: ignore[name-defined]
        return await make_request(bot, method)
