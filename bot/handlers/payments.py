"""Paying in the chat: the invoice for an order, Telegram's pre-checkout query and the
``successful_payment`` message, each decided by core (``core/sales/payments.py``).

Updates about money come first, before any conversation state could catch them: a
pre-checkout query must be answered within Telegram's 10 seconds, and the payment
message is recorded whatever the customer was doing. The customer hears that the order
is paid from the order's own notice (one, however often the payment is delivered).
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, LabeledPrice, Message, PreCheckoutQuery
from aiogram.utils.callback_answer import CallbackAnswer

from bot import keyboards, texts
from bot.callbacks import Pay, PayByHand
from bot.config import BotSettings
from bot.customers import MembersOnly
from bot.filters import Magic
from bot.screens import show
from core.accounts.models import User
from core.sales.errors import PaymentRefused
from core.sales.goods import methods_for
from core.sales.models import ReceivedPayment
from core.shop import Shop

log = logging.getLogger(__name__)


async def send_invoice(
    query: CallbackQuery,
    callback_data: Pay,
    shop: Shop,
    customer: User,
    callback_answer: CallbackAnswer,
) -> None:
    invoice = await shop.payments.invoice_for(
        customer.id, callback_data.order_id, callback_data.method
    )
    try:
        await query.bot.send_invoice(  # type: ignore[union-attr]
            chat_id=query.from_user.id,
            title=invoice.title,
            description=invoice.description,
            payload=invoice.payload,
            provider_token=invoice.provider_token or None,
            currency=invoice.currency,
            prices=[LabeledPrice(label=p.label, amount=p.amount) for p in invoice.prices],
        )
    except TelegramBadRequest as refused:  # a total outside the currency's limits, say
        log.warning(
            "invoice refused", extra={"order_id": callback_data.order_id, "error": refused.message}
        )
        callback_answer.text, callback_answer.show_alert = texts.invoice_refused(), True


async def pay_by_hand(
    query: CallbackQuery,
    callback_data: PayByHand,
    shop: Shop,
    settings: BotSettings,
    customer: User,
) -> None:
    order = await shop.payments.choose_manual(customer.id, callback_data.order_id)
    await show(
        query,
        texts.paying_by_hand(order, settings.payment_instructions),
        keyboards.order_placed(order, methods_for(order, shop.payments.methods)),
    )


async def pre_checkout(query: PreCheckoutQuery, shop: Shop) -> None:
    """Yes or no within Telegram's time limit; a failure here is a no, never silence."""
    try:
        payer = await shop.users.by_telegram(query.from_user.id)
        await shop.payments.check(
            None if payer is None else payer.id,
            query.invoice_payload,
            query.currency,
            query.total_amount,
        )
    except PaymentRefused as refusal:
        await query.answer(ok=False, error_message=texts.refusal(refusal))
    except Exception:
        log.exception("pre-checkout failed", extra={"pre_checkout_query_id": query.id})
        await query.answer(ok=False, error_message=texts.unexpected())
    else:
        await query.answer(ok=True)


async def successful_payment(message: Message, shop: Shop, customer: User | None) -> None:
    payment = message.successful_payment
    assert payment is not None  # the filter
    await shop.payments.record(
        None if customer is None else customer.id,
        ReceivedPayment(
            currency=payment.currency,
            total_amount=payment.total_amount,
            invoice_payload=payment.invoice_payload,
            telegram_payment_charge_id=payment.telegram_payment_charge_id,
            provider_payment_charge_id=payment.provider_payment_charge_id,
        ),
    )


def build_router() -> Router:
    router = Router(name="payments")
    router.callback_query.middleware(MembersOnly())
    router.callback_query.register(send_invoice, Pay.filter())
    router.callback_query.register(pay_by_hand, PayByHand.filter())
    router.pre_checkout_query.register(pre_checkout)
    router.message.register(successful_payment, Magic(F.successful_payment))
    return router
