"""Bot fixtures: the real dispatcher, polling a sandbox served for each test, over the
test's own database; fake users to play the customers. Helpers for the tests are in
``tests/bot/chat.py`` and ``tests/bot/workers.py``."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest

from bot.bootstrap import create_bot, create_dispatcher
from bot.config import BotSettings
from bot.polling import poll
from core.accounts.commands import TelegramSignup
from core.accounts.models import User
from core.shop import Shop
from sandbox import FakeUser, SandboxServer
from sandbox.testing import polling, running_sandbox
from tests.bot.chat import Customer, RunBot, make_bot_settings


@pytest.fixture
async def sandbox_server() -> AsyncIterator[SandboxServer]:
    async with running_sandbox() as server:
        yield server


@pytest.fixture
def bot_settings(sandbox_server: SandboxServer) -> BotSettings:
    return make_bot_settings(sandbox_server)


@pytest.fixture
def run_bot(shop: Shop, bot_settings: BotSettings, sandbox_server: SandboxServer) -> RunBot:
    """``async with run_bot():`` a fresh Bot and Dispatcher polling until the block ends;
    entering twice is a restart (same database, new FSM storage object)."""

    def run() -> AbstractAsyncContextManager[Any]:
        dispatcher = create_dispatcher(shop, bot_settings)
        return polling(dispatcher, create_bot(bot_settings), sandbox_server.sandbox, run=poll)

    return run


@pytest.fixture
async def running_bot(run_bot: RunBot) -> AsyncIterator[None]:
    async with run_bot():
        yield


@pytest.fixture
def make_user(sandbox_server: SandboxServer) -> Callable[..., FakeUser]:
    def make(first_name: str = "Alice", **options: Any) -> FakeUser:
        return FakeUser.create(sandbox_server.sandbox, first_name=first_name, **options)

    return make


@pytest.fixture
def customer(shop: Shop, make_user: Callable[..., FakeUser]) -> Customer:
    """A Telegram user already signed up (through core, to keep tests short)."""

    async def create(first_name: str = "Alice") -> tuple[FakeUser, User]:
        player = make_user(first_name)
        email = f"{first_name.lower()}-{uuid.uuid4().hex[:6]}@example.com"
        account = await shop.users.sign_up_telegram(
            TelegramSignup(telegram_id=player.id, name=first_name, email=email)
        )
        return player, account

    return create
