"""/start: the main menu for customers; signup for new Telegram users."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.types import User as TelegramUser

from bot import keyboards, start_links, texts
from bot.callbacks import KeepName
from bot.filters import TEXT
from bot.screens import show
from bot.states import Signup
from core.accounts.commands import ProfileUpdate, TelegramSignup
from core.accounts.models import Language, User
from core.base.commands import parse
from core.base.errors import InvalidInput
from core.campaigns.links import read_start
from core.shop import Shop


async def start(
    message: Message,
    state: FSMContext,
    customer: User | None,
    command: CommandObject,
    bot: Bot,
    shop: Shop,
) -> None:
    await state.clear()
    if customer is not None:
        link = read_start(command.args)
        if not await start_links.follow(message, bot, shop, customer, link):
            await message.answer(texts.welcome(customer), reply_markup=keyboards.main_menu())
        return
    name = _profile_name(message.from_user)
    await state.set_state(Signup.name)
    await state.set_data({"suggested_name": name, **start_links.keep(command.args)})
    await message.answer(texts.ask_name(), reply_markup=keyboards.keep_name(name) if name else None)


async def keep_name(query: CallbackQuery, state: FSMContext) -> None:
    data = await state.get_data()
    await _ask_email(query, state, parse(ProfileUpdate, {"name": data["suggested_name"]}).name)


async def name_given(message: Message, state: FSMContext) -> None:
    await _ask_email(message, state, parse(ProfileUpdate, {"name": message.text}).name)


async def _ask_email(event: Message | CallbackQuery, state: FSMContext, name: str) -> None:
    await state.set_state(Signup.email)
    await state.update_data(name=name)
    await show(event, texts.ask_email(name))


async def email_given(
    message: Message, state: FSMContext, shop: Shop, event_from_user: TelegramUser, bot: Bot
) -> None:
    data = await state.get_data()
    signup = parse(
        TelegramSignup,
        {
            "telegramId": event_from_user.id,
            "name": data["name"],
            "email": message.text,
            "language": Language.of(event_from_user.language_code),
        },
    )
    customer = await shop.users.sign_up_telegram(signup)
    await state.clear()
    await message.answer(texts.welcome(customer), reply_markup=keyboards.main_menu())
    await start_links.follow(message, bot, shop, customer, start_links.kept(data))


def _profile_name(user: TelegramUser | None) -> str:
    """The name Telegram shows for ``user`` if it may be an account name, else nothing."""
    if user is None:
        return ""
    try:
        return parse(ProfileUpdate, {"name": user.full_name.strip()[:100].strip()}).name
    except InvalidInput:
        return ""  # e.g. invisible or bidi characters: the customer types a name instead


def build_router() -> Router:
    router = Router(name="start")
    router.message.register(start, CommandStart())
    router.callback_query.register(keep_name, StateFilter(Signup.name), KeepName.filter())
    router.message.register(name_given, StateFilter(Signup.name), TEXT)
    router.message.register(email_given, StateFilter(Signup.email), TEXT)
    return router
