"""Webhook mode: the sandbox POSTs updates to a real aiogram webhook handler."""

from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.exceptions import TelegramConflictError
from aiogram.methods import SendMessage
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from sandbox import FakeUser, Sandbox, SandboxServer
from sandbox.testing import make_bot, serving

SECRET = "s3cret-Token_1"


def echo_dispatcher(name: str = "echo") -> Dispatcher:
    dispatcher = Dispatcher()

    @dispatcher.message(F.text == "/reply")
    async def reply_in_response(message: Message) -> SendMessage:
        """Answer inside the webhook response instead of calling the API."""
        return message.answer("replied in the webhook response")

    @dispatcher.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"{name}: {message.text}")

    return dispatcher


@pytest.fixture
async def bot(sandbox_server: SandboxServer) -> AsyncIterator[Bot]:
    bot = make_bot(sandbox_server)
    yield bot
    await bot.session.close()


async def webhook_app(
    bot: Bot, secret: str, in_background: bool = True, name: str = "echo"
) -> web.Application:
    app = web.Application()
    handler = SimpleRequestHandler(
        echo_dispatcher(name), bot, secret_token=secret, handle_in_background=in_background
    )
    handler.register(app, path="/hook")
    return app


async def test_updates_are_posted_with_the_secret(
    bot: Bot, sandbox: Sandbox, make_user: Callable[..., FakeUser]
) -> None:
    async with serving(await webhook_app(bot, SECRET)) as url:
        await bot.set_webhook(f"{url}/hook", secret_token=SECRET)
        info = await bot.get_webhook_info()
        assert (info.url, info.pending_update_count) == (f"{url}/hook", 0)
        alice = make_user("Alice")
        reply = await alice.send("hello")
        assert reply is not None and reply.text == "echo: hello"
        assert [u["message"]["text"] for u in sandbox.webhook.delivered] == ["hello"]
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates()
        await bot.delete_webhook()


async def test_wrong_secret_is_the_bots_problem(
    bot: Bot, sandbox: Sandbox, make_user: Callable[..., FakeUser]
) -> None:
    async with serving(await webhook_app(bot, "expected-secret")) as url:
        await bot.set_webhook(f"{url}/hook", secret_token=SECRET)
        alice = make_user("Alice")
        await alice.send("hello", wait=False)
        await sandbox.wait_until(
            lambda: sandbox.webhook.last_error_message, 15, lambda: "a failed delivery"
        )
        info = await bot.get_webhook_info()
        assert info.last_error_message == "Wrong response from the webhook: 401 Unauthorized"
        assert info.pending_update_count == 1 and alice.bot_messages == []

        await bot.delete_webhook()
        (update,) = await bot.get_updates()
        assert update.message is not None and update.message.text == "hello"


async def test_a_method_in_the_webhook_response_is_executed(
    bot: Bot, make_user: Callable[..., FakeUser]
) -> None:
    async with serving(await webhook_app(bot, SECRET, in_background=False)) as url:
        await bot.set_webhook(f"{url}/hook", secret_token=SECRET, drop_pending_updates=True)
        alice = make_user("Alice")
        reply = await alice.send("/reply")
        assert reply is not None and reply.text == "replied in the webhook response"
        await bot.delete_webhook()


async def test_a_load_balancer_delivers_to_several_bot_processes_in_turn(
    bot: Bot, sandbox_server: SandboxServer, make_user: Callable[..., FakeUser]
) -> None:
    sandbox = sandbox_server.sandbox
    async with (
        serving(await webhook_app(bot, SECRET, name="first")) as first,
        serving(await webhook_app(bot, SECRET, name="second")) as second,
        aiohttp.ClientSession() as http,
    ):
        public = "https://shop.example/hook"
        await bot.set_webhook(public, secret_token=SECRET)
        targets = {"urls": [f"{first}/hook", f"{second}/hook"]}
        async with http.put(f"{sandbox_server.url}/sandbox/webhook/targets", json=targets) as r:
            assert r.status == 200
        alice = make_user("Alice")
        replies = [await alice.send(text) for text in ("a", "b", "c", "d")]
        assert [r.text for r in replies if r] == ["first: a", "second: b", "first: c", "second: d"]
        assert (await bot.get_webhook_info()).url == public
        async with http.put(
            f"{sandbox_server.url}/sandbox/webhook/targets", json={"urls": ["ftp://x"]}
        ) as refused:
            assert refused.status == 400
        await bot.delete_webhook()
    assert sandbox.webhook.targets == targets["urls"]
    assert list(sandbox.webhook.accepted_by.values()) == [2, 2]
