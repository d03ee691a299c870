"""/help and /cancel: available everywhere, in every state."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot import keyboards, texts
from core.models import User


async def show_help(message: Message) -> None:
    await message.answer(texts.help_text())


async def cancel(message: Message, state: FSMContext, customer: User | None) -> None:
    was_in_a_flow = await state.get_state() is not None
    await state.clear()
    reply = texts.cancelled() if was_in_a_flow else texts.nothing_to_cancel()
    await message.answer(reply, reply_markup=keyboards.main_menu() if customer else None)


def build_router() -> Router:
    router = Router(name="help")
    router.message.register(show_help, Command("help"))
    router.message.register(cancel, Command("cancel"))
    return router
