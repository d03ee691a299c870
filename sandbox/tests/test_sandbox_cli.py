"""``python -m sandbox`` and ``python -m sandbox.chat`` together with a real bot."""

import asyncio
import signal
import sys
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from sandbox.server import bound_socket

pytestmark = pytest.mark.slow

TOKEN = "42:cli-test"


async def read_until(process: asyncio.subprocess.Process, needle: str) -> list[str]:
    """Lines of the process's stdout up to the first one containing ``needle``."""
    assert process.stdout is not None
    lines: list[str] = []
    async with asyncio.timeout(60):  # a process start, however busy the machine
        while not lines or needle not in lines[-1]:
            line = await process.stdout.readline()
            assert line, f"output ended before {needle!r}: {lines}"
            lines.append(line.decode().rstrip("\n"))
    return lines


async def python(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-u",
        "-m",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )


@pytest.fixture
async def served_sandbox() -> AsyncIterator[str]:
    with bound_socket() as sock:
        port = sock.getsockname()[1]
    process = await python("sandbox", "--port", str(port), "--token", TOKEN)
    try:
        await read_until(process, "Running on")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGINT)
        assert await process.wait() == 0


def button_dispatcher() -> Dispatcher:
    dispatcher = Dispatcher()
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Add to cart", callback_data="add")]]
    )

    @dispatcher.message(F.text == "/start")
    async def start(message: Message) -> None:
        await message.answer("Welcome", reply_markup=keyboard)

    @dispatcher.callback_query(F.data == "add")
    async def add(query: CallbackQuery) -> None:
        await query.message.edit_text("Cart: 1")  # type: ignore[union-attr]
        await query.answer("Added")

    return dispatcher


async def test_terminal_chat_with_a_bot(served_sandbox: str) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(served_sandbox))
    dispatcher = button_dispatcher()
    polling = asyncio.create_task(
        dispatcher.start_polling(Bot(TOKEN, session=session), handle_signals=False)
    )
    chat = await python("sandbox.chat", "--url", served_sandbox, "--user-id", "7")
    assert chat.stdin is not None
    try:
        await read_until(chat, "chatting as Tester (7)")
        chat.stdin.write(b"/start\n")
        assert await read_until(chat, "1) Add to cart") == ["bot: Welcome", "  1) Add to cart"]
        chat.stdin.write(b"/press 1\n")
        lines = await read_until(chat, "(toast) Added")
        assert "(pressed [Add to cart])" in lines
        if "bot edited #2: Cart: 1" not in lines:
            await read_until(chat, "bot edited #2: Cart: 1")
    finally:
        chat.stdin.close()
        assert await chat.wait() == 0
        await dispatcher.stop_polling()
        await polling
