"""A real aiogram bot taking payments in the sandbox, paid by fake users."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LabeledPrice,
    Message,
    PreCheckoutQuery,
    TransactionPartnerUser,
)

from sandbox import FakeUser, Sandbox
from sandbox.testing import make_bot, polling, running_sandbox


def payments_router(paid: list[dict[str, Any]], *, checks: bool = True) -> Router:
    """Sells tea for Stars (or by card with /card); refuses payloads it did not issue.
    Without ``checks`` it never answers pre-checkout queries."""
    router = Router()

    @router.message(Command("buy"))
    async def buy(message: Message) -> None:
        await message.answer_invoice(
            title="Green tea",
            description="100 g of sencha",
            payload="tea:1",
            currency="XTR",
            prices=[LabeledPrice(label="Green tea", amount=50)],
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[[InlineKeyboardButton(text="Pay ⭐50", pay=True)]]
            ),
        )

    @router.message(Command("card"))
    async def card(message: Message) -> None:
        await message.answer_invoice(
            title="Green tea",
            description="100 g of sencha, delivered",
            payload="tea:2",
            provider_token="284685063:TEST:fake",
            currency="EUR",
            prices=[LabeledPrice(label="Tea", amount=1250), LabeledPrice(label="Post", amount=300)],
            need_shipping_address=True,
        )

    @router.pre_checkout_query(lambda _: checks)
    async def pre_checkout(query: PreCheckoutQuery) -> None:
        if query.invoice_payload.startswith("tea:"):
            await query.answer(ok=True)
        else:
            await query.answer(ok=False, error_message="Unknown order")

    @router.message(F.successful_payment)
    async def on_paid(message: Message) -> None:
        payment = message.successful_payment
        assert payment is not None
        paid.append(payment.model_dump(exclude_none=True))
        await message.answer(f"Paid {payment.total_amount} {payment.currency}")

    @router.message(Command("refund"))
    async def refund(message: Message, command: CommandObject) -> None:
        assert message.from_user is not None and message.bot is not None
        try:
            await message.bot.refund_star_payment(message.from_user.id, command.args or "")
        except TelegramBadRequest as error:
            await message.answer(f"Refund failed: {error.message}")
        else:
            await message.answer("Refunded")

    return router


@pytest.fixture
def paid() -> list[dict[str, Any]]:
    return []


@pytest.fixture
async def shop(
    serve_bot: Callable[[Router], AbstractAsyncContextManager[Bot]], paid: list[dict[str, Any]]
) -> AsyncIterator[Bot]:
    async with serve_bot(payments_router(paid)) as bot:
        yield bot


@pytest.mark.usefixtures("shop")
async def test_pay_with_stars_and_refund(
    make_user: Callable[..., FakeUser], sandbox: Sandbox, paid: list[dict[str, Any]]
) -> None:
    alice = make_user("Alice")
    invoice = await alice.send("/buy")
    assert invoice is not None and invoice.invoice is not None
    assert (invoice.invoice.total_amount, invoice.buttons[0][0].text) == (50, "Pay ⭐50")
    result = await alice.pay()
    assert result.ok and result.charge is not None and result.message is not None
    assert result.message.successful_payment is not None
    await alice.wait_for(lambda m: m.text == "Paid 50 XTR")
    charge_id = result.charge.telegram_payment_charge_id
    assert paid == [
        {
            "currency": "XTR",
            "total_amount": 50,
            "invoice_payload": "tea:1",
            "telegram_payment_charge_id": charge_id,
            "provider_payment_charge_id": result.charge.provider_payment_charge_id,
        }
    ]
    await alice.send(f"/refund {charge_id}")
    await alice.wait_for(lambda m: m.text == "Refunded")
    await alice.send(f"/refund {charge_id}")
    await alice.wait_for(lambda m: m.text == "Refund failed: Bad Request: CHARGE_ALREADY_REFUNDED")
    assert [r.telegram_payment_charge_id for r in sandbox.payments.refunds] == [charge_id]


async def test_star_transactions_list_charges_and_refunds_oldest_first(
    make_user: Callable[..., FakeUser], shop: Bot
) -> None:
    """getStarTransactions, parsed by aiogram's own types: a Stars charge is an incoming
    transaction from the user with the charge's id; its refund an outgoing one."""
    alice, bob = make_user("Alice"), make_user("Bob")
    await alice.send("/buy")
    first = await alice.pay()
    await bob.send("/buy")
    second = await bob.pay()
    await alice.send("/card")
    assert (await alice.pay()).ok  # not Stars: not a Star transaction
    assert first.charge is not None and second.charge is not None
    await alice.send(f"/refund {first.charge.telegram_payment_charge_id}")
    await alice.wait_for(lambda m: m.text == "Refunded")

    listed = (await shop.get_star_transactions()).transactions
    assert [(t.id, t.amount) for t in listed] == [
        (first.charge.telegram_payment_charge_id, 50),
        (second.charge.telegram_payment_charge_id, 50),
        (first.charge.telegram_payment_charge_id, 50),
    ]
    incoming, _, refund = listed
    assert isinstance(incoming.source, TransactionPartnerUser) and incoming.receiver is None
    assert (incoming.source.user.id, incoming.source.invoice_payload) == (alice.id, "tea:1")
    assert incoming.source.transaction_type == "invoice_payment"
    assert isinstance(refund.receiver, TransactionPartnerUser) and refund.source is None
    assert refund.receiver.user.id == alice.id
    page = (await shop.get_star_transactions(offset=1, limit=1)).transactions
    assert [t.id for t in page] == [second.charge.telegram_payment_charge_id]


@pytest.mark.usefixtures("shop")
async def test_pay_by_card_with_a_shipping_address(
    make_user: Callable[..., FakeUser], paid: list[dict[str, Any]]
) -> None:
    bob = make_user("Bob")
    await bob.send("/card")
    address = {
        "country_code": "FR",
        "state": "",
        "city": "Paris",
        "street_line1": "1 rue du Thé",
        "street_line2": "",
        "post_code": "75001",
    }
    result = await bob.pay(order_info={"shipping_address": address})
    assert result.ok and result.query.total_amount == 1550
    await bob.wait_for(lambda m: m.text == "Paid 1550 EUR")
    assert paid[0]["order_info"] == {"shipping_address": address}


@pytest.mark.usefixtures("shop")
async def test_forged_and_replayed_payments_reach_the_bot(
    make_user: Callable[..., FakeUser], sandbox: Sandbox, paid: list[dict[str, Any]]
) -> None:
    mallory = make_user("Mallory")
    query = await mallory.send_pre_checkout(
        currency="XTR", total_amount=1, invoice_payload="order:999"
    )
    assert (query.answered, query.ok, query.error_message) == (True, False, "Unknown order")

    forged = mallory.send_successful_payment(
        currency="XTR", total_amount=1, invoice_payload="tea:1", telegram_payment_charge_id="stxf"
    )
    await mallory.wait_for(lambda m: m.text == "Paid 1 XTR")
    mallory.redeliver(forged)
    await sandbox.wait_until(lambda: len(paid) == 2, 15, mallory.transcript)
    assert paid[0] == paid[1] and paid[0]["telegram_payment_charge_id"] == "stxf"
    assert sandbox.payments.charges == {}  # nobody was charged


async def test_a_bot_too_slow_to_answer_fails_the_payment(paid: list[dict[str, Any]]) -> None:
    async with running_sandbox(pre_checkout_timeout=0.2) as server:
        bot = make_bot(server)
        dispatcher = Dispatcher()
        dispatcher.include_router(payments_router(paid, checks=False))
        async with polling(dispatcher, bot, server.sandbox, polling_timeout=5):
            carol = FakeUser.create(server.sandbox, first_name="Carol")
            await carol.send("/buy")
            result = await carol.pay()
        assert (result.ok, result.timed_out, result.charge) == (False, True, None)
        assert not any(m.successful_payment for m in carol.messages) and paid == []
