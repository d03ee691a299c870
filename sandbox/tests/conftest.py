"""Sandbox fixtures: a served sandbox per test, a factory of fake users, an HTTP client."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, Router

from sandbox import FakeUser, Sandbox, SandboxServer
from sandbox.testing import make_bot, polling, running_sandbox


@pytest.fixture
async def sandbox_server() -> AsyncIterator[SandboxServer]:
    """A sandbox served on a free 127.0.0.1 port; ``.url`` for the bot."""
    async with running_sandbox() as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> Sandbox:
    """The control object of the served sandbox: users, chats, faults."""
    return sandbox_server.sandbox


@pytest.fixture
def make_user(sandbox: Sandbox) -> Callable[..., FakeUser]:
    """``make_user("Alice")`` -> a FakeUser with a private chat with the bot."""

    def make(first_name: str | None = None, **options: Any) -> FakeUser:
        return FakeUser.create(sandbox, first_name=first_name, timeout=15.0, **options)

    return make


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A client for raw Bot API and control API calls."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def serve_bot(
    sandbox_server: SandboxServer,
) -> Callable[[Router], AbstractAsyncContextManager[Bot]]:
    """``async with serve_bot(router) as bot:`` an aiogram bot polling the sandbox."""

    @asynccontextmanager
    async def serve(router: Router) -> AsyncIterator[Bot]:
        bot = make_bot(sandbox_server)
        dispatcher = Dispatcher()
        dispatcher.include_router(router)
        async with polling(dispatcher, bot, sandbox_server.sandbox, polling_timeout=5):
            yield bot

    return serve
