"""Building blocks for pytest fixtures: a running sandbox, a bot wired to it, polling.

A bot's test suite can build its fixtures from these::

    @pytest.fixture
    async def sandbox_server() -> AsyncIterator[SandboxServer]:
        async with running_sandbox() as server:
            yield server

    async def test_start(sandbox_server: SandboxServer) -> None:
        bot = make_bot(sandbox_server)
        async with polling(my_dispatcher(), bot, sandbox_server.sandbox):
            alice = FakeUser.create(sandbox_server.sandbox, first_name="Alice")
            reply = await alice.send("/start")
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager, suppress
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web

from sandbox.server import SandboxServer, bound_socket
from sandbox.state import DEFAULT_TOKEN, Sandbox


@asynccontextmanager
async def running_sandbox(
    token: str = DEFAULT_TOKEN, **sandbox_options: Any
) -> AsyncIterator[SandboxServer]:
    """A sandbox served on a free 127.0.0.1 port for the duration of the block."""
    async with SandboxServer(Sandbox(token, **sandbox_options)) as server:
        yield server


class SandboxSession(AiohttpSession):
    """aiogram's session, closing at once: aiogram waits 250 ms after every close for TLS
    connections to wind down, and the sandbox serves plain HTTP."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def make_bot(server: SandboxServer, **bot_options: Any) -> Bot:
    """An aiogram Bot whose every request goes to the sandbox."""
    session = SandboxSession(api=TelegramAPIServer.from_base(server.url))
    return Bot(server.sandbox.token, session=session, **bot_options)


@asynccontextmanager
async def polling(
    dispatcher: Dispatcher,
    bot: Bot,
    sandbox: Sandbox,
    *,
    run: Callable[[Dispatcher, Bot], Coroutine[Any, Any, None]] | None = None,
    **polling_options: Any,
) -> AsyncIterator[asyncio.Task[None]]:
    """Run ``dispatcher.start_polling(bot)`` as a task until the block ends; or
    ``run(dispatcher, bot)``, a bot's own polling loop, which is then cancelled at the end.

    Enters once the bot's first getUpdates reached the sandbox; leaves after polling stopped
    and the bot's session closed, re-raising what the polling task raised.
    """
    polls = sandbox.polls
    job = (
        dispatcher.start_polling(bot, handle_signals=False, **polling_options)
        if run is None
        else run(dispatcher, bot)
    )
    task = asyncio.create_task(job, name="sandbox-polling")
    await sandbox.wait_until(
        lambda: sandbox.polls > polls or task.done(), 5, lambda: "the bot to start polling"
    )
    try:
        yield task
    finally:
        if run is not None:
            await _cancel(task)
            await bot.session.close()
        else:
            if not task.done():
                await dispatcher.stop_polling()
            await task


async def _cancel(task: asyncio.Task[None]) -> None:
    """Cancel ``task`` and wait for it; what it raised before is raised."""
    if not task.done():
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
    elif not task.cancelled():
        task.result()


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    """Serve an aiohttp app (a bot's webhook, say) on a free 127.0.0.1 port; yields its URL."""
    runner = web.AppRunner(app, shutdown_timeout=1)
    await runner.setup()
    sock = bound_socket()
    await web.SockSite(runner, sock).start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        await runner.cleanup()
