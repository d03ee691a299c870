"""The main menu, reached from any screen's "Menu" button."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot import keyboards, texts
from bot.callbacks import Open, Section
from bot.screens import show
from core.accounts.models import User


async def main_menu(event: Message | CallbackQuery, state: FSMContext, customer: User) -> None:
    await state.set_state(None)
    await show(event, texts.welcome(customer), keyboards.main_menu())


def build_router() -> Router:
    router = Router(name="menu")
    router.message.register(main_menu, Command("menu"))
    router.callback_query.register(main_menu, Open.filter(F.section == Section.HOME))
    return router
