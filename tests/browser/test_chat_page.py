"""The chat page on a bare sandbox, the test playing the bot: bubbles, formatting, photos,
inline and reply keyboards, edits in place, callback answers, switching users."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Page, expect

from sandbox import Message, Sandbox, SandboxServer
from sandbox.testing import running_sandbox

pytestmark = pytest.mark.slow

ONE_PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture
async def server() -> AsyncIterator[SandboxServer]:
    async with running_sandbox() as served:
        yield served


class PlayedBot:
    """The test's side of the Bot API: what a bot would call."""

    def __init__(self, http: aiohttp.ClientSession, server: SandboxServer) -> None:
        self.http, self.base = http, f"{server.url}/bot{server.sandbox.token}"

    async def call(self, method: str, data: Any = None, **params: Any) -> dict[str, Any]:
        url = f"{self.base}/{method}"
        async with (
            self.http.post(url, data=data) if data else self.http.post(url, json=params) as reply
        ):
            body = await reply.json()
        assert body["ok"], body
        result: dict[str, Any] = body["result"]
        return result


@pytest.fixture
async def bot(server: SandboxServer) -> AsyncIterator[PlayedBot]:
    async with aiohttp.ClientSession() as http:
        yield PlayedBot(http, server)


def user_texts(sandbox: Sandbox, chat_id: int) -> list[str | None]:
    return [m.text for m in sandbox.messages(chat_id) if not m.from_bot]


async def user_said(sandbox: Sandbox, chat_id: int, text: str) -> list[Message]:
    return await sandbox.wait_until(
        lambda: [m for m in sandbox.messages(chat_id) if not m.from_bot and m.text == text],
        5,
        lambda: sandbox.transcript(chat_id),
    )


async def test_the_page_shows_what_the_bot_sends_and_acts_as_the_user(
    server: SandboxServer,
    bot: PlayedBot,
    page: Page,  # the page last: shot before teardown
) -> None:
    sandbox = server.sandbox
    sandbox.add_user(1001, "Alice")
    await page.goto(f"{server.url}/?user=1001")
    await page.get_by_role("button", name="Start").click()
    await user_said(sandbox, 1001, "/start")

    keys = [[{"text": "Buy", "callback_data": "buy"}], [{"text": "Site", "url": "https://a.b/"}]]
    offer = await bot.call(
        "sendMessage",
        chat_id=1001,
        text="<b>Tea</b> is back",
        parse_mode="HTML",
        reply_markup={"inline_keyboard": keys},
    )
    bubble = page.locator(f'[data-message-id="{offer["message_id"]}"]')
    await expect(bubble.locator("strong")).to_have_text("Tea")
    await expect(bubble.get_by_role("link", name="Site")).to_have_attribute("href", "https://a.b/")

    form = aiohttp.FormData({"chat_id": "1001", "caption": "Green tea"})
    form.add_field("photo", ONE_PIXEL_PNG, filename="tea.png", content_type="image/png")
    await bot.call("sendPhoto", data=form)
    photo = page.get_by_role("img", name="Green tea")
    await expect(photo).to_be_visible()
    assert await photo.evaluate("image => image.naturalWidth") == 1

    await bot.call(
        "sendMessage",
        chat_id=1001,
        text="Which size?",
        reply_markup={"keyboard": [["Small", "Large"]], "resize_keyboard": True},
    )
    await (
        page.get_by_role("group", name="Reply keyboard").get_by_role("button", name="Large").click()
    )
    await user_said(sandbox, 1001, "Large")
    await expect(page.locator(".from-user .text").last).to_have_text("Large")

    await bot.call(
        "editMessageText",
        chat_id=1001,
        message_id=offer["message_id"],
        text="Tea is back: 2 left",
        reply_markup={"inline_keyboard": keys},
    )
    await expect(bubble.locator(".text")).to_have_text("Tea is back: 2 left")
    await expect(bubble.locator(".meta")).to_contain_text("edited")

    await bubble.get_by_role("button", name="Buy").click()
    query = await sandbox.wait_until(
        lambda: next(iter(sandbox.callbacks.values()), None), 5, lambda: "a callback query"
    )
    assert (query.data, query.message_id) == ("buy", offer["message_id"])
    await bot.call("answerCallbackQuery", callback_query_id=query.id, text="Bought!")
    await expect(page.get_by_role("alert")).to_have_text("Bought!")

    await page.get_by_label("New user's first name").fill("Bob")
    await page.get_by_role("button", name="Add user").click()
    await expect(page.get_by_role("button", name="Bob")).to_have_attribute("aria-pressed", "true")
    await expect(page.locator(".message")).to_have_count(0)
    bob = next(chat.user for chat in sandbox.chats.values() if chat.user.first_name == "Bob")
    assert f"user={bob.id}" in page.url
    await page.get_by_role("button", name="Alice").click()
    await expect(bubble.locator(".text")).to_have_text("Tea is back: 2 left")
    assert user_texts(sandbox, bob.id) == []
