"""A real aiogram 3 bot, polling the sandbox, driven by fake users."""

import html
from collections.abc import AsyncIterator, Callable

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.filters import Command, CommandStart
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)

from sandbox import FakeUser, Sandbox, SandboxServer, WaitTimeout
from sandbox.testing import make_bot, polling

MENU = InlineKeyboardMarkup(
    inline_keyboard=[
        [InlineKeyboardButton(text="Add to cart", callback_data="add:tea")],
        [InlineKeyboardButton(text="Refresh", callback_data="refresh")],
        [InlineKeyboardButton(text="Silent", callback_data="silent")],
    ]
)


def shop_router() -> Router:
    """A tiny shop: a menu, a cart counter edited in place, and a few ways to fail."""
    router = Router()
    carts: dict[int, int] = {}

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        name = html.escape(message.from_user.first_name if message.from_user else "")
        await message.answer(f"Welcome, <b>{name}</b>!", reply_markup=MENU)

    @router.message(Command("menu"))
    async def menu(message: Message) -> None:
        keyboard = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Catalog")]])
        await message.answer("Pick a section", reply_markup=keyboard)

    @router.message(Command("unescaped"))
    async def unescaped(message: Message) -> None:
        try:
            await message.answer("Tea & <cake>")
        except TelegramBadRequest as error:
            await message.answer(html.escape(f"failed: {error.message}"))

    @router.message(Command("photo"))
    async def photo(message: Message) -> None:
        upload = BufferedInputFile(b"\x89PNG fake", filename="tea.png")
        await message.answer_photo(upload, caption="<i>Green tea</i>")

    @router.message(Command("flood"))
    async def flood(message: Message) -> None:
        try:
            for n in range(3):
                await message.answer(f"spam {n}")
        except TelegramRetryAfter as error:
            await message.bot.send_chat_action(message.chat.id, "typing")  # type: ignore[union-attr]
            carts[-message.chat.id] = error.retry_after

    @router.callback_query(F.data == "add:tea")
    async def add(query: CallbackQuery) -> None:
        carts[query.from_user.id] = carts.get(query.from_user.id, 0) + 1
        await query.message.edit_text(  # type: ignore[union-attr]
            f"Cart: {carts[query.from_user.id]} item(s)", reply_markup=MENU
        )
        await query.answer("Added")

    @router.callback_query(F.data == "refresh")
    async def refresh(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        try:
            await query.message.edit_text(query.message.html_text, reply_markup=MENU)
        except TelegramBadRequest as error:
            await query.answer(error.message, show_alert=True)

    @router.callback_query(F.data == "silent")
    async def silent(query: CallbackQuery) -> None:
        """Forgets to answer: the user's spinner would never stop."""

    @router.callback_query()
    async def unknown(query: CallbackQuery) -> None:
        await query.answer("Unknown action", show_alert=True)

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(html.escape(message.text or ""))

    router.carts = carts  # type: ignore[attr-defined]
    return router


@pytest.fixture
async def bot(sandbox_server: SandboxServer) -> AsyncIterator[Bot]:
    bot = make_bot(sandbox_server, default=DefaultBotProperties(parse_mode="HTML"))
    yield bot
    await bot.session.close()


@pytest.fixture
async def shop(bot: Bot, sandbox: Sandbox) -> AsyncIterator[Router]:
    router = shop_router()
    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    async with polling(dispatcher, bot, sandbox, polling_timeout=5):
        yield router


@pytest.mark.usefixtures("shop")
async def test_start_and_echo(make_user: Callable[..., FakeUser]) -> None:
    alice = make_user("Alice <3")
    reply = await alice.send("/start")
    assert reply is not None and reply.text == "Welcome, Alice <3!"
    assert reply.entities == [{"type": "bold", "offset": 9, "length": 8}]
    assert [[b.text for b in row] for row in reply.buttons] == [
        ["Add to cart"],
        ["Refresh"],
        ["Silent"],
    ]
    echoed = await alice.send("a < b & c")
    assert echoed is not None and echoed.text == "a < b & c"
    assert alice.last_message is echoed


@pytest.mark.usefixtures("shop")
async def test_press_edits_in_place(make_user: Callable[..., FakeUser]) -> None:
    alice = make_user("Alice")
    menu = await alice.send("/start")
    query = await alice.press("Add to cart", wait_edit=True)
    assert (query.answered, query.text, query.show_alert) == (True, "Added", False)
    await alice.press("Add to cart")
    cart = await alice.wait_for(lambda m: m.text == "Cart: 2 item(s)")
    assert menu is not None and cart.message_id == menu.message_id
    assert [r.text for r in cart.history] == ["Welcome, Alice!", "Cart: 1 item(s)"]
    assert len(alice.bot_messages) == 1
    assert alice.chat.sent_count == 1


@pytest.mark.usefixtures("shop")
async def test_not_modified_reaches_the_bot(make_user: Callable[..., FakeUser]) -> None:
    alice = make_user("Alice")
    await alice.send("/start")
    query = await alice.press("Refresh")
    assert query.show_alert and query.text is not None
    assert query.text.startswith("Bad Request: message is not modified")


@pytest.mark.usefixtures("shop")
async def test_forged_callback_data(make_user: Callable[..., FakeUser]) -> None:
    mallory = make_user("Mallory")
    await mallory.send("/start")
    query = await mallory.send_callback("add:../../admin")
    assert (query.text, query.show_alert) == ("Unknown action", True)


@pytest.mark.usefixtures("shop")
async def test_unanswered_callback_fails_readably(make_user: Callable[..., FakeUser]) -> None:
    alice = make_user("Alice")
    await alice.send("/start")
    with pytest.raises(WaitTimeout) as failure:
        await alice.press("Silent", timeout=0.3)
    message = str(failure.value)
    assert "the bot to answer callback query" in message and "'silent'" in message
    assert "#2 bot: 'Welcome, Alice!' [Add to cart] [Refresh] [Silent]" in message


@pytest.mark.usefixtures("shop")
async def test_html_mistake_surfaces_as_bad_request(make_user: Callable[..., FakeUser]) -> None:
    alice = make_user("Alice")
    reply = await alice.send("/unescaped")
    assert reply is not None and reply.text is not None
    assert reply.text.startswith("failed: Bad Request: can't parse entities: Can't find end")


@pytest.mark.usefixtures("shop")
async def test_photo_upload_is_multipart(
    make_user: Callable[..., FakeUser], sandbox: Sandbox
) -> None:
    alice = make_user("Alice")
    reply = await alice.send("/photo")
    assert reply is not None and (reply.photo, reply.caption) == ("upload:tea.png", "Green tea")
    call = next(c for c in sandbox.calls if c.method == "sendPhoto")
    assert call.content_type == "multipart/form-data"
    poll = next(c for c in sandbox.calls if c.method == "getUpdates")
    assert poll.content_type == "application/x-www-form-urlencoded"


@pytest.mark.usefixtures("shop")
async def test_reply_keyboard(make_user: Callable[..., FakeUser]) -> None:
    alice = make_user("Alice")
    await alice.send("/menu")
    assert alice.reply_keyboard == [["Catalog"]]
    reply = await alice.send("Catalog")
    assert reply is not None and reply.text == "Catalog"


async def test_flood_surfaces_retry_after(
    shop: Router,
    make_user: Callable[..., FakeUser],
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sandbox.faults, "clock", lambda: 100.0)  # however slow the sends are
    sandbox.faults.rate_limit(global_per_second=30, per_chat_per_second=2)
    alice = make_user("Alice")
    await alice.send("/flood", wait=False)
    await sandbox.wait_until(lambda: alice.chat.actions, 15, alice.transcript)
    assert [m.text for m in alice.bot_messages] == ["spam 0", "spam 1"]
    assert shop.carts[-alice.id] == 1  # type: ignore[attr-defined]
    assert sandbox.calls[-2].status == 429


async def test_blocked_user_is_forbidden(
    bot: Bot, make_user: Callable[..., FakeUser], sandbox: Sandbox
) -> None:
    alice = make_user("Alice")
    await bot.send_message(alice.id, "news")
    sandbox.block(alice.id)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "more news")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(424242, "hello?")
    assert sandbox.sent_count(alice.id) == 1


async def test_bot_commands_roundtrip(bot: Bot) -> None:
    from aiogram.types import BotCommand

    await bot.set_my_commands([BotCommand(command="start", description="Open the shop")])
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    me = await bot.get_me()
    assert (me.id, me.username) == (123456789, "sandbox_bot")
