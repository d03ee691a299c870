"""The profile: name, email, password (which also opens the shop's HTTP API), the
language the shop speaks to the customer, and whether a cart left untouched earns a
reminder."""

from __future__ import annotations

from contextlib import suppress

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from bot import keyboards, texts
from bot.callbacks import (
    ChooseLanguage,
    EditProfile,
    Open,
    ProfileEdit,
    Section,
    SwitchCartReminders,
)
from bot.filters import TEXT
from bot.screens import show
from bot.states import ProfileForm
from core.accounts.commands import LanguageChoice, PasswordChange, ProfileUpdate
from core.accounts.models import User
from core.accounts.users import telegram_address
from core.base.commands import parse
from core.shop import Shop


async def open_profile(event: Message | CallbackQuery, customer: User) -> None:
    await show(event, texts.profile(customer), keyboards.profile(customer))


async def edit_name(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(ProfileForm.name)
    await show(query, texts.ask_new_name())


async def name_given(message: Message, state: FSMContext, shop: Shop, customer: User) -> None:
    updated = await shop.users.update_profile(
        customer.id, parse(ProfileUpdate, {"name": message.text})
    )
    await state.clear()
    await message.answer(texts.profile(updated), reply_markup=keyboards.profile(updated))


async def edit_password(query: CallbackQuery, state: FSMContext, customer: User) -> None:
    await state.set_state(ProfileForm.password)
    await show(query, texts.ask_passwords() if customer.has_password else texts.ask_new_password())


async def password_given(message: Message, state: FSMContext, shop: Shop, customer: User) -> None:
    with suppress(TelegramAPIError):  # keep the password out of the chat history
        await message.delete()
    text = message.text or ""
    old, _, new = text.partition("\n") if customer.has_password else (None, "", text)
    change = parse(PasswordChange, {"oldPassword": old, "newPassword": new})
    address = telegram_address(message.chat.id)  # a private chat's id is the user's
    updated = await shop.users.change_password(customer.id, change, address=address)
    await state.clear()
    reply = f"{texts.password_set()}\n\n{texts.profile(updated)}"
    await message.answer(reply, reply_markup=keyboards.profile(updated))


async def pick_language(query: CallbackQuery) -> None:
    await show(query, texts.choose_language(), keyboards.languages())


async def language_chosen(
    query: CallbackQuery, callback_data: ChooseLanguage, shop: Shop, customer: User, i18n: I18n
) -> None:
    choice = parse(LanguageChoice, {"language": callback_data.language})
    updated = await shop.users.set_language(customer.id, choice)
    with i18n.use_locale(choice.language.value):  # this very answer is in the new language
        await show(query, texts.profile(updated), keyboards.profile(updated))


async def cart_reminders_switched(
    query: CallbackQuery, callback_data: SwitchCartReminders, shop: Shop, customer: User
) -> None:
    updated = await shop.users.set_cart_reminders(customer.id, callback_data.on)
    await show(query, texts.profile(updated), keyboards.profile(updated))


def build_router() -> Router:
    router = Router(name="profile")
    router.message.register(open_profile, Command("profile"))
    router.callback_query.register(open_profile, Open.filter(F.section == Section.PROFILE))
    router.callback_query.register(edit_name, EditProfile.filter(F.field == ProfileEdit.NAME))
    router.message.register(name_given, StateFilter(ProfileForm.name), TEXT)
    router.callback_query.register(
        edit_password, EditProfile.filter(F.field == ProfileEdit.PASSWORD)
    )
    router.message.register(password_given, StateFilter(ProfileForm.password), TEXT)
    router.callback_query.register(
        pick_language, EditProfile.filter(F.field == ProfileEdit.LANGUAGE)
    )
    router.callback_query.register(language_chosen, ChooseLanguage.filter())
    router.callback_query.register(cart_reminders_switched, SwitchCartReminders.filter())
    return router
