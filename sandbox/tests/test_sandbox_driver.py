"""FakeUser's waits and lookups, with the bot's side played directly through the API."""

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
from aiogram import Bot
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from sandbox import FakeUser, Sandbox, SandboxServer, WaitTimeout
from sandbox.testing import make_bot

KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Buy", callback_data="buy")]]
)


@pytest.fixture
async def bot(sandbox_server: SandboxServer) -> AsyncIterator[Bot]:
    bot = make_bot(sandbox_server)
    yield bot
    await bot.session.close()


async def test_send_returns_the_first_reaction_even_an_edit(
    bot: Bot, sandbox: Sandbox, make_user: Callable[..., FakeUser]
) -> None:
    alice = make_user("Alice")
    menu = await bot.send_message(alice.id, "Menu", reply_markup=KEYBOARD)

    async def bot_reacts() -> None:
        await sandbox.wait_until(lambda: sandbox.updates, 15, lambda: "the update")
        await bot.edit_message_text("Menu (updated)", chat_id=alice.id, message_id=menu.message_id)
        await bot.send_message(alice.id, "Anything else?")

    reaction = asyncio.create_task(bot_reacts())
    reply = await alice.send("refresh")
    await reaction
    assert reply is not None and (reply.message_id, reply.text) == (1, "Menu (updated)")
    assert alice.last_message is not None and alice.last_message.text == "Anything else?"
    assert await alice.wait_for(lambda m: "updated" in (m.text or "")) is reply


async def test_failures_show_the_chat(bot: Bot, make_user: Callable[..., FakeUser]) -> None:
    alice = make_user("Alice")
    with pytest.raises(LookupError, match="no bot message with an inline keyboard"):
        await alice.press("Buy")
    await bot.send_message(alice.id, "Menu", reply_markup=KEYBOARD)
    with pytest.raises(LookupError, match=r"no button 'Sell' in #1 bot: 'Menu' \[Buy\]"):
        await alice.press("Sell")
    with pytest.raises(WaitTimeout) as failure:
        await alice.wait_for(lambda m: m.text == "Receipt", timeout=0.05, description="a receipt")
    assert str(failure.value) == (
        "timed out after 0.05s waiting for a receipt from user 1001; chat 1001:\n"
        "  #1 bot: 'Menu' [Buy]"
    )
    with pytest.raises(WaitTimeout, match="a reply to 'hello'"):
        await alice.send("hello", timeout=0.05)
