"""The bot keeps the response model of each Bot API method it called: pydantic would
otherwise let it go and build it again, schema and all, at the next call."""

import gc
import weakref

from aiogram.methods import GetMe
from aiogram.methods.base import Response

from bot.bootstrap import create_bot
from sandbox import SandboxServer
from tests.bot.chat import make_bot_settings


async def test_a_response_model_outlives_its_request(sandbox_server: SandboxServer) -> None:
    bot = create_bot(make_bot_settings(sandbox_server))
    try:
        await bot.get_me()
    finally:
        await bot.session.close()
    model = weakref.ref(Response[GetMe.__returning__])  # type: ignore[valid-type]
    gc.collect()
    assert model() is not None
