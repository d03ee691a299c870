"""The profile: name, email and password (which also opens the shop's HTTP API)."""

from __future__ import annotations

from contextlib import suppress

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot import keyboards, texts
from bot.callbacks import EditProfile, Open, ProfileEdit, Section
from bot.screens import show
from bot.states import ProfileForm
from core.commands import PasswordChange, ProfileUpdate, parse
from core.models import User
from core.shop import Shop


async def open_profile(event: Message | CallbackQuery, customer: User) -> None:
    await show(event, texts.profile(customer), keyboards.profile(customer))


async def edit_name(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(ProfileForm.name)
    await show(query, texts.ASK_NEW_NAME)


async def name_given(message: Message, state: FSMContext, shop: Shop, customer: User) -> None:
    updated = await shop.users.update_profile(
        customer.id, parse(ProfileUpdate, {"name": message.text})
    )
    await state.clear()
    await message.answer(texts.profile(updated), reply_markup=keyboards.profile(updated))


async def edit_password(query: CallbackQuery, state: FSMContext, customer: User) -> None:
    await state.set_state(ProfileForm.password)
    await show(query, texts.ASK_PASSWORDS if customer.has_password else texts.ASK_NEW_PASSWORD)


async def password_given(message: Message, state: FSMContext, shop: Shop, customer: User) -> None:
    with suppress(TelegramAPIError):  # keep the password out of the chat history
        await message.delete()
    text = message.text or ""
    old, _, new = text.partition("\n") if customer.has_password else (None, "", text)
    change = parse(PasswordChange, {"oldPassword": old, "newPassword": new})
    updated = await shop.users.change_password(customer.id, change)
    await state.clear()
    reply = f"{texts.PASSWORD_SET}\n\n{texts.profile(updated)}"
    await message.answer(reply, reply_markup=keyboards.profile(updated))


def build_router() -> Router:
    router = Router(name="profile")
    router.message.register(open_profile, Command("profile"))
    router.callback_query.register(open_profile, Open.filter(F.section == Section.PROFILE))
    router.callback_query.register(edit_name, EditProfile.filter(F.field == ProfileEdit.NAME))
    router.message.register(name_given, ProfileForm.name, F.text)
    router.callback_query.register(
        edit_password, EditProfile.filter(F.field == ProfileEdit.PASSWORD)
    )
    router.message.register(password_given, ProfileForm.password, F.text)
    return router
