"""Delivery details before the checkout summary, where the shop has delivery methods.

Checkout first offers the last order's details ("Send to the same address?"), else asks in
turn what is missing: the method (buttons), the phone (Telegram's share-contact button,
which must send the customer's own contact, or typed) and, when the method needs one, the
address. Core validates each answer as it comes (a wrong one is answered and asked again)
and the whole at the summary. The summary can add a note for the shop. /cancel leaves the
flow at any step (``help_cancel``); the cart is never touched here.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Filter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    TelegramObject,
)
from aiogram.types import User as TelegramUser
from aiogram.utils.callback_answer import CallbackAnswer

from bot import goods, keyboards, texts
from bot.callbacks import AddNote, Checkout, CheckoutStep, ChooseDelivery, ReuseDelivery
from bot.filters import TYPED, Magic
from bot.handlers.cart import show_cart
from bot.handlers.checkout import DELIVERY, delivery_of, show_summary
from bot.screens import show
from bot.states import DeliveryForm
from core.accounts.models import User
from core.base.commands import parse
from core.sales.carts import CartRead
from core.sales.commands import DeliveryDetails
from core.shop import Shop

DRAFT = "delivery_draft"
"""FSM data: the details given so far in this flow (a method, then a phone, ...)."""


class ShopDelivers(Filter):
    """Only for a shop with delivery methods; others check out as before."""

    async def __call__(self, event: TelegramObject, shop: Shop) -> bool:
        return shop.delivery.required


async def begin(
    query: CallbackQuery,
    shop: Shop,
    customer: User,
    state: FSMContext,
    seen_cart: CartRead | None,
) -> None:
    """Checkout pressed: offer the last details, or start asking."""
    cart = await shop.carts.view(customer.id, seen_cart)
    if cart.is_empty:
        await show_cart(query, cart)
        return
    if not goods.ships(cart):  # digital goods only: sent in the chat, nothing to ask
        await state.set_state(None)
        await show_summary(query, shop, customer, state, seen_cart)
        return
    saved = shop.delivery.reusable(customer.last_delivery)
    draft = {} if saved is None else saved.model_dump(by_alias=True, exclude_none=True)
    await state.update_data({DRAFT: draft, DELIVERY: None})
    if saved is None:
        await _ask_method(query, shop, state)
        return
    await state.set_state(DeliveryForm.reuse)
    snapshot = shop.delivery.snapshot(saved, customer.name)
    assert snapshot is not None  # the shop delivers
    await show(query, texts.same_details(snapshot), keyboards.same_details())


async def reuse_answered(
    query: CallbackQuery,
    callback_data: ReuseDelivery,
    shop: Shop,
    customer: User,
    state: FSMContext,
) -> None:
    if callback_data.reuse:
        await _next_step(query, shop, customer, state, {})
    else:
        await state.update_data({DRAFT: {}})
        await _ask_method(query, shop, state)


async def _ask_method(event: Message | CallbackQuery, shop: Shop, state: FSMContext) -> None:
    await state.set_state(DeliveryForm.method)
    markup = keyboards.delivery_methods(shop.delivery.methods, shop.catalog.currency)
    await show(event, texts.ask_method(), markup)


async def method_chosen(
    query: CallbackQuery,
    callback_data: ChooseDelivery,
    shop: Shop,
    customer: User,
    state: FSMContext,
    callback_answer: CallbackAnswer,
) -> None:
    method = shop.delivery.method(callback_data.code)
    if method is None:  # forged, or the shop's methods changed since the buttons were sent
        callback_answer.text, callback_answer.show_alert = texts.stale_button(), True
        return
    await show(query, texts.method_chosen(method, shop.catalog.currency))
    await _next_step(query, shop, customer, state, {"method": method.code})


async def contact_shared(
    message: Message,
    shop: Shop,
    customer: User,
    state: FSMContext,
    event_from_user: TelegramUser,
) -> None:
    contact = message.contact
    if contact is None or contact.user_id != event_from_user.id:
        await message.answer(texts.not_your_contact(), reply_markup=keyboards.share_phone())
        return
    number = contact.phone_number  # Telegram's apps may leave out the "+"
    phone = shop.delivery.phone(number if number.startswith("+") else f"+{number}")
    await _phone_given(message, shop, customer, state, phone)


async def phone_typed(message: Message, shop: Shop, customer: User, state: FSMContext) -> None:
    phone = shop.delivery.phone(message.text or "")
    await _phone_given(message, shop, customer, state, phone)


async def _phone_given(
    message: Message, shop: Shop, customer: User, state: FSMContext, phone: str
) -> None:
    """The share-contact keyboard goes away with the address question, or else with a
    thank-you: the summary's inline keyboard cannot share a message with its removal."""
    method = shop.delivery.method(str((await _draft(state)).get("method")))
    if method is None or not method.needs_address:
        await message.answer(texts.phone_saved(phone), reply_markup=ReplyKeyboardRemove())
    await _next_step(message, shop, customer, state, {"phone": phone})


async def address_given(message: Message, shop: Shop, customer: User, state: FSMContext) -> None:
    await _next_step(message, shop, customer, state, {"address": message.text})


async def add_note(query: CallbackQuery, state: FSMContext) -> None:
    if await delivery_of(state) is None:  # a summary from before a /cancel or /start
        await show(query, texts.details_changed())
        return
    await state.set_state(DeliveryForm.note)
    await show(query, texts.ask_note())


async def note_given(message: Message, shop: Shop, customer: User, state: FSMContext) -> None:
    details = await delivery_of(state)
    if details is None:
        await state.clear()
        await message.answer(texts.details_changed())
        return
    noted = parse(DeliveryDetails, {**details.model_dump(by_alias=True), "note": message.text})
    await state.set_state(None)
    await state.update_data({DELIVERY: noted.model_dump(by_alias=True)})
    await show_summary(message, shop, customer, state)


async def _next_step(
    event: Message | CallbackQuery,
    shop: Shop,
    customer: User,
    state: FSMContext,
    answer: dict[str, Any],
) -> None:
    """Add ``answer`` to the draft and ask for what is still missing, or show the summary
    once core accepts the details (each answer is validated on its own first)."""
    draft = {**await _draft(state), **answer}
    method = shop.delivery.method(str(draft.get("method")))
    if method is None:
        await state.update_data({DRAFT: {}})
        await _ask_method(event, shop, state)
        return
    if "phone" not in draft:
        await state.update_data({DRAFT: draft})
        await state.set_state(DeliveryForm.phone)
        await _answer(event, texts.ask_phone(), keyboards.share_phone())
        return
    if method.needs_address and "address" not in draft:
        await state.update_data({DRAFT: draft})
        await state.set_state(DeliveryForm.address)
        await _answer(event, texts.ask_address(), ReplyKeyboardRemove())
        return
    details = parse(DeliveryDetails, {"recipientName": customer.name, **draft})
    shop.delivery.snapshot(details, customer.name)  # refuses what the method does not fit
    await state.set_state(None)
    await state.update_data({DRAFT: None, DELIVERY: details.model_dump(by_alias=True)})
    await show_summary(event, shop, customer, state)


async def _answer(
    event: Message | CallbackQuery, text: str, markup: ReplyKeyboardMarkup | ReplyKeyboardRemove
) -> None:
    """A new message (a reply keyboard cannot be put on an edited one)."""
    message = event if isinstance(event, Message) else event.message
    if isinstance(message, Message):
        await message.answer(text, reply_markup=markup)
    else:  # an inaccessible message: older than 48 hours
        await event.bot.send_message(event.from_user.id, text, reply_markup=markup)  # type: ignore[union-attr]


async def use_the_buttons(message: Message) -> None:
    """Text while a question has buttons (the methods, "Send to the same address?")."""
    await message.answer(texts.use_the_buttons())


async def _draft(state: FSMContext) -> dict[str, Any]:
    return dict((await state.get_data()).get(DRAFT) or {})


def build_router() -> Router:
    router = Router(name="delivery")
    router.callback_query.register(
        begin, Checkout.filter(F.step == CheckoutStep.REVIEW), ShopDelivers()
    )
    reuse, method = StateFilter(DeliveryForm.reuse), StateFilter(DeliveryForm.method)
    router.callback_query.register(reuse_answered, reuse, ReuseDelivery.filter())
    router.callback_query.register(method_chosen, method, ChooseDelivery.filter())
    phone = StateFilter(DeliveryForm.phone)
    router.message.register(contact_shared, phone, Magic(F.contact))
    router.message.register(phone_typed, phone, TYPED)
    router.message.register(address_given, StateFilter(DeliveryForm.address), TYPED)
    router.callback_query.register(add_note, AddNote.filter())
    router.message.register(note_given, StateFilter(DeliveryForm.note), TYPED)
    asking = StateFilter(DeliveryForm.reuse, DeliveryForm.method)
    router.message.register(use_the_buttons, asking, Magic(~F.text.startswith("/")))
    return router
