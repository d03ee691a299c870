"""A real aiogram bot using photos kept by file id, editMessageMedia, contact buttons, the
users' languages and a staff group, driven by fake users."""

import io
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)

from sandbox import FakeGroup, FakeUser, Sandbox

PNG = b"\x89PNG\r\n\x1a\n tea"
NEXT = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Next", callback_data="next")]]
)
TAKE = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Take", callback_data="take")]]
)
GREETINGS = {"en": "Hello", "ru": "Привет"}


def commerce_router(seen: dict[str, Any]) -> Router:
    router = Router()

    @router.message(Command("card"))
    async def card(message: Message) -> None:
        """A product card: the photo uploaded once, then sent by its cached file_id."""
        photo = seen.get("file_id") or BufferedInputFile(PNG, filename="tea.png")
        sent = await message.answer_photo(photo, caption="Green tea", reply_markup=NEXT)
        assert sent.photo is not None
        seen["file_id"] = sent.photo[-1].file_id

    @router.message(Command("text_card"))
    async def text_card(message: Message) -> None:
        await message.answer("Black tea (no photo)", reply_markup=NEXT)

    @router.callback_query(F.data == "next")
    async def next_card(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        media = InputMediaPhoto(media=BufferedInputFile(PNG, "green.png"), caption="Green tea")
        await query.message.edit_media(media, reply_markup=NEXT)
        await query.answer()

    @router.message(Command("download"))
    async def download(message: Message, bot: Bot) -> None:
        file = await bot.get_file(seen["file_id"])
        data = io.BytesIO()
        await bot.download_file(file.file_path or "", data)
        await message.answer(f"{len(data.getvalue())} bytes")

    @router.message(Command("phone"))
    async def ask_phone(message: Message) -> None:
        button = KeyboardButton(text="Share my phone", request_contact=True)
        await message.answer("Your phone?", reply_markup=ReplyKeyboardMarkup(keyboard=[[button]]))

    @router.message(F.contact)
    async def contact(message: Message) -> None:
        assert message.contact is not None and message.from_user is not None
        if message.contact.user_id != message.from_user.id:
            await message.answer("That is not your number")
        else:
            await message.answer(f"Thanks, {message.contact.phone_number}")

    @router.message(Command("hello"))
    async def hello(message: Message) -> None:
        assert message.from_user is not None
        await message.answer(GREETINGS.get(message.from_user.language_code or "", "Hello"))

    @router.message(Command("orders"), F.chat.type == "group")
    async def orders(message: Message) -> None:
        await message.answer("Order #7: 2 teas", reply_markup=TAKE)

    @router.callback_query(F.data == "take")
    async def take(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        await query.message.edit_text(f"Order #7 taken by {query.from_user.first_name}")
        await query.answer()

    @router.message(F.chat.type == "group")
    async def group_chatter(message: Message) -> None:
        seen.setdefault("group_texts", []).append(message.text)

    return router


@pytest.fixture
def seen() -> dict[str, Any]:
    return {}


@pytest.fixture
async def bot(
    serve_bot: Callable[[Router], AbstractAsyncContextManager[Bot]], seen: dict[str, Any]
) -> AsyncIterator[Bot]:
    async with serve_bot(commerce_router(seen)) as bot:
        yield bot


@pytest.mark.usefixtures("bot")
async def test_photo_cached_by_file_id_edited_and_downloaded(
    make_user: Callable[..., FakeUser], sandbox: Sandbox, seen: dict[str, Any]
) -> None:
    alice = make_user("Alice")
    first = await alice.send("/card")
    second = await alice.send("/card")
    assert first is not None and second is not None and first.file is second.file
    uploads = [c.content_type for c in sandbox.calls if c.method == "sendPhoto"]
    assert uploads == ["multipart/form-data", "application/x-www-form-urlencoded"]
    assert (await alice.send("/download")).text == f"{len(PNG)} bytes"  # type: ignore[union-attr]

    text_card = await alice.send("/text_card")
    assert text_card is not None and text_card.photo is None
    await alice.press("Next", message_id=text_card.message_id, wait_edit=True)
    assert (text_card.text, text_card.caption, text_card.photo) == (
        None,
        "Green tea",
        "upload:green.png",
    )
    assert [b.text for row in text_card.buttons for b in row] == ["Next"]


@pytest.mark.usefixtures("bot")
async def test_contact_button_and_a_forged_contact(make_user: Callable[..., FakeUser]) -> None:
    alice = make_user("Alice", phone_number="447700900123")
    mallory = make_user("Mallory")
    await alice.send("/phone")
    assert alice.reply_keyboard == [["Share my phone"]]
    reply = await alice.share_contact()
    assert reply is not None and reply.text == "Thanks, 447700900123"
    reply = await mallory.send_contact("447700900123", "Alice", user_id=alice.id)
    assert reply is not None and reply.text == "That is not your number"
    with pytest.raises(LookupError, match="no request_contact button"):
        await mallory.share_contact()  # the bot never asked Mallory


@pytest.mark.usefixtures("bot")
async def test_language_code_reaches_the_bot(
    make_user: Callable[..., FakeUser], sandbox: Sandbox
) -> None:
    ivan = make_user("Ivan", language_code="ru")
    assert (await ivan.send("/hello")).text == "Привет"  # type: ignore[union-attr]
    sandbox.update_user(ivan.id, language_code="en")
    assert (await ivan.send("/hello")).text == "Hello"  # type: ignore[union-attr]


async def test_a_staff_group(
    bot: Bot, make_user: Callable[..., FakeUser], sandbox: Sandbox, seen: dict[str, Any]
) -> None:
    alice, bob, carol = make_user("Alice"), make_user("Bob"), make_user("Carol")
    staff = FakeGroup.create(sandbox, "Operators", [alice, bob])
    assert staff.id < 0
    card = await alice.send("/orders", chat_id=staff.id)
    assert card is not None and card.chat_id == staff.id
    query = await bob.press("Take", chat_id=staff.id, wait_edit=True)
    assert query.user_id == bob.id
    assert (await staff.wait_for(lambda m: "taken" in (m.text or ""))).text == (
        "Order #7 taken by Bob"
    )
    with pytest.raises(LookupError, match="not a member"):
        sandbox.press(carol.id, "Take", chat_id=staff.id)

    await alice.send("just chatting", chat_id=staff.id, wait=False)  # privacy mode: not sent
    await alice.send(f"@{sandbox.bot.username} hi", chat_id=staff.id, wait=False)
    await sandbox.wait_until(lambda: seen.get("group_texts"), 15, staff.transcript)
    assert seen["group_texts"] == [f"@{sandbox.bot.username} hi"]

    info = await bot.get_chat(staff.id)
    assert (info.type, info.title) == ("group", "Operators")
    owner = await bot.get_chat_member(staff.id, alice.id)
    assert isinstance(owner, ChatMemberOwner)
    assert (await bot.get_chat_member(staff.id, carol.id)).status == "left"
    with pytest.raises(TelegramBadRequest, match="phone number can be requested in private"):
        button = KeyboardButton(text="Phone", request_contact=True)
        await bot.send_message(staff.id, "x", reply_markup=ReplyKeyboardMarkup(keyboard=[[button]]))
