"""Customers' data, from the profile: what the shop keeps about me, and deleting it.

Deleting asks first. The confirmation keeps a one-time token in this chat's state and puts
it in its "Yes" button; only a press carrying that token erases, and only the presser's
own data (core is asked for the account linked to the Telegram user who pressed, never
for an id from the button). A forged or replayed button erases nothing.
"""

from __future__ import annotations

import secrets

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer

from bot import keyboards, privacy_texts, texts
from bot.callbacks import AskErasure, EraseMyData, MyData
from bot.screens import show
from core.accounts.access import Actor
from core.accounts.models import User
from core.shop import Shop

CONFIRMATION = "erasureConfirmation"
"""Key of the confirmation's token in the chat's FSM data."""


async def open_data(query: CallbackQuery, shop: Shop, customer: User) -> None:
    data = await shop.privacy.export(Actor.of(customer), customer.id)
    await show(query, privacy_texts.your_data(data), keyboards.your_data())


async def ask_erasure(query: CallbackQuery, state: FSMContext) -> None:
    token = secrets.token_urlsafe(12)
    await state.update_data({CONFIRMATION: token})
    await show(query, privacy_texts.ask_erasure(), keyboards.confirm_erasure(token))


async def erase(
    query: CallbackQuery,
    callback_data: EraseMyData,
    state: FSMContext,
    shop: Shop,
    customer: User,
    callback_answer: CallbackAnswer,
) -> None:
    kept = (await state.get_data()).get(CONFIRMATION)
    if kept is None or not secrets.compare_digest(str(kept), callback_data.token):
        callback_answer.text, callback_answer.show_alert = texts.stale_button(), True
        return
    # erasing deletes this chat's state too: nothing is written to it afterwards
    report = await shop.privacy.erase(Actor.of(customer), customer.id)
    await show(query, privacy_texts.erased(report))


def build_router() -> Router:
    router = Router(name="privacy")
    router.callback_query.register(open_data, MyData.filter())
    router.callback_query.register(ask_erasure, AskErasure.filter())
    router.callback_query.register(erase, EraseMyData.filter())
    return router
