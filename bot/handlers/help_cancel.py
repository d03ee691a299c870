"""/help and /cancel: available everywhere, in every state."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, ReplyKeyboardRemove

from bot import keyboards, texts
from bot.states import DeliveryForm
from core.accounts.models import User


async def show_help(message: Message) -> None:
    await message.answer(texts.help_text())


async def cancel(message: Message, state: FSMContext, customer: User | None) -> None:
    """Leave the flow (its answers so far are dropped; the cart is untouched). Asked for a
    phone, the customer has the share-contact keyboard, which goes too."""
    step = await state.get_state()
    await state.clear()
    if step == DeliveryForm.phone.state:
        await message.answer(texts.cancelled(), reply_markup=ReplyKeyboardRemove())
        return
    reply = texts.cancelled() if step is not None else texts.nothing_to_cancel()
    await message.answer(reply, reply_markup=keyboards.main_menu() if customer else None)


def build_router() -> Router:
    router = Router(name="help")
    router.message.register(show_help, Command("help"))
    router.message.register(cancel, Command("cancel"))
    return router
