"""Payments over raw HTTP, the test playing the bot: sendInvoice checked like Telegram, the
user paying through the control API, the pre-checkout deadline, charges, refunds and the
forged or replayed updates attack tests need."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from botapi_client import call, ok

from sandbox import Sandbox, SandboxServer
from sandbox.testing import running_sandbox

STARS_INVOICE = {
    "chat_id": 1001,
    "title": "Green tea",
    "description": "100 g of sencha",
    "payload": "order:42:v1",
    "provider_token": "",
    "currency": "XTR",
    "prices": [{"label": "Green tea", "amount": 50}],
}
CARD_INVOICE = {
    **STARS_INVOICE,
    "provider_token": "284685063:TEST:fake",
    "currency": "EUR",
    "prices": [{"label": "Tea", "amount": 1250}, {"label": "Delivery", "amount": 300}],
    "need_name": True,
    "need_phone_number": True,
}


@pytest.fixture
async def quick() -> AsyncIterator[SandboxServer]:
    """A sandbox whose payments wait only 0.2 s for answerPreCheckoutQuery."""
    async with running_sandbox(pre_checkout_timeout=0.2) as server:
        server.sandbox.add_user(1001, "Alice")
        yield server


@pytest.fixture
async def patient() -> AsyncIterator[SandboxServer]:
    """A sandbox with Telegram's own 10 s for answerPreCheckoutQuery, however slow the test."""
    async with running_sandbox() as server:
        server.sandbox.add_user(1001, "Alice")
        yield server


async def control(
    http: aiohttp.ClientSession, server: SandboxServer, path: str, **body: Any
) -> tuple[int, Any]:
    async with http.post(f"{server.url}/sandbox{path}", json=body) as response:
        return response.status, await response.json()


async def next_update(
    http: aiohttp.ClientSession, server: SandboxServer, kind: str
) -> dict[str, Any]:
    """The first pending update of ``kind``, confirming everything before it."""
    while True:
        updates = await ok(http, server, "getUpdates", timeout=5)
        for update in updates:
            await ok(http, server, "getUpdates", offset=update["update_id"] + 1, timeout=0)
            if kind in update:
                result: dict[str, Any] = update[kind]
                return result


async def test_an_invoice_message_shows_the_invoice(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    sandbox.add_user(1001)
    sent = await ok(http, sandbox_server, "sendInvoice", **CARD_INVOICE, start_parameter="tea")
    assert sent["invoice"] == {
        "title": "Green tea",
        "description": "100 g of sencha",
        "start_parameter": "tea",
        "currency": "EUR",
        "total_amount": 1550,
    }
    assert "text" not in sent and "reply_markup" not in sent  # the Pay button is implicit
    keyboard = {
        "inline_keyboard": [
            [{"text": "Pay 15.50 EUR", "pay": True}],
            [{"text": "Cancel", "callback_data": "cancel"}],
        ]
    }
    with_keys = await ok(
        http, sandbox_server, "sendInvoice", **STARS_INVOICE, reply_markup=keyboard
    )
    assert with_keys["reply_markup"] == keyboard
    (message,) = [m for m in sandbox.messages(1001) if m.message_id == with_keys["message_id"]]
    assert message.invoice is not None and message.invoice.payload == "order:42:v1"
    assert sandbox.sent_count(1001) == 2


@pytest.mark.parametrize(
    ("change", "description"),
    [
        ({"title": ""}, 'Bad Request: parameter "title" is required'),
        ({"payload": ""}, 'Bad Request: parameter "payload" is required'),
        ({"prices": []}, "Bad Request: there must be at least one price"),
        ({"prices": "[{"}, "Bad Request: can't parse prices JSON object"),
        (
            {"prices": [{"label": "Tea", "amount": 1.5}]},
            'Bad Request: can\'t parse labeled price: Field "amount" must be a valid Number',
        ),
        (
            {"prices": [{"label": "", "amount": 5}]},
            "Bad Request: can't parse labeled price: LabeledPrice label must be non-empty",
        ),
        ({"prices": [{"label": "Tea", "amount": 0}]}, "Bad Request: total price must be positive"),
        ({"title": "x" * 33}, "Bad Request: TITLE_INVALID"),
        ({"description": "x" * 256}, "Bad Request: DESCRIPTION_INVALID"),
        ({"payload": "é" * 65}, "Bad Request: INVOICE_PAYLOAD_INVALID"),  # 130 bytes
        (
            {"prices": [{"label": "A", "amount": 5}, {"label": "B", "amount": 5}]},
            "Bad Request: STARS_INVOICE_INVALID",
        ),
        ({"provider_token": "284685063:TEST:fake"}, "Bad Request: STARS_INVOICE_INVALID"),
        ({"currency": "EUR"}, "Bad Request: PAYMENT_PROVIDER_INVALID"),
        (
            {"prices": [{"label": "Tea", "amount": 100_001}]},
            "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID",
        ),
        (
            {"currency": "USD", "provider_token": "t", "prices": [{"label": "Gum", "amount": 99}]},
            "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID",
        ),
        (
            {"reply_markup": {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}},
            "Bad Request: REPLY_MARKUP_BUY_EMPTY",
        ),
        ({"chat_id": 999}, "Bad Request: chat not found"),
    ],
)
async def test_send_invoice_is_checked_like_telegram(
    http: aiohttp.ClientSession,
    sandbox_server: SandboxServer,
    sandbox: Sandbox,
    change: dict[str, Any],
    description: str,
) -> None:
    sandbox.add_user(1001)
    status, body = await call(http, sandbox_server, "sendInvoice", **{**STARS_INVOICE, **change})
    assert (status, body["description"]) == (400, description)
    assert sandbox.sent_count(1001) == 0


async def test_paying_with_stars(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    sandbox.add_user(1001, "Alice")
    invoice = await ok(http, sandbox_server, "sendInvoice", **STARS_INVOICE)
    paying = asyncio.create_task(
        control(http, sandbox_server, "/users/1001/pay", message_id=invoice["message_id"])
    )
    query = await next_update(http, sandbox_server, "pre_checkout_query")
    assert query == {
        "id": query["id"],
        "from": {"id": 1001, "is_bot": False, "first_name": "Alice", "language_code": "en"},
        "currency": "XTR",
        "total_amount": 50,
        "invoice_payload": "order:42:v1",
    }
    assert await ok(
        http, sandbox_server, "answerPreCheckoutQuery", pre_checkout_query_id=query["id"], ok=True
    )
    status, result = await paying
    assert (status, result["ok"], result["timed_out"]) == (200, True, False)

    message = await next_update(http, sandbox_server, "message")
    payment = message["successful_payment"]
    assert (message["from"]["id"], message["chat"]["id"]) == (1001, 1001)
    assert payment["telegram_payment_charge_id"].startswith("stx")
    assert (
        payment["provider_payment_charge_id"]
        == "1001_" + payment["provider_payment_charge_id"].split("_")[1]
    )
    assert {k: payment[k] for k in ("currency", "total_amount", "invoice_payload")} == {
        "currency": "XTR",
        "total_amount": 50,
        "invoice_payload": "order:42:v1",
    }
    assert result["charge"]["telegram_payment_charge_id"] == payment["telegram_payment_charge_id"]
    status, again = await control(
        http, sandbox_server, "/users/1001/pay", message_id=invoice["message_id"]
    )
    assert status == 404 and "paid already" in again["error"]  # the invoice shows a receipt

    charge_id = payment["telegram_payment_charge_id"]
    for user_id, charge, error in (
        (1002, charge_id, "CHARGE_NOT_FOUND"),  # someone else's charge
        (1001, "stxmadeup", "CHARGE_NOT_FOUND"),
    ):
        status, body = await call(
            http,
            sandbox_server,
            "refundStarPayment",
            user_id=user_id,
            telegram_payment_charge_id=charge,
        )
        assert (status, body["description"]) == (400, f"Bad Request: {error}")
    assert await ok(
        http,
        sandbox_server,
        "refundStarPayment",
        user_id=1001,
        telegram_payment_charge_id=charge_id,
    )
    status, body = await call(
        http,
        sandbox_server,
        "refundStarPayment",
        user_id=1001,
        telegram_payment_charge_id=charge_id,
    )
    assert (status, body["description"]) == (400, "Bad Request: CHARGE_ALREADY_REFUNDED")
    async with http.get(f"{sandbox_server.url}/sandbox/payments") as response:
        ledger = await response.json()
    assert [(r["user_id"], r["telegram_payment_charge_id"]) for r in ledger["refunds"]] == [
        (1001, charge_id)
    ]
    assert ledger["charges"][0]["refunded"] is True
    assert sandbox.messages(1001)[-1].refunded_payment is not None  # shown in the chat
    refunded = await next_update(http, sandbox_server, "message")  # and the bot gets it
    assert (refunded["from"]["is_bot"], refunded["chat"]["id"]) == (True, 1001)
    assert refunded["refunded_payment"] == {
        "currency": "XTR",
        "total_amount": 50,
        "invoice_payload": "order:42:v1",
        "telegram_payment_charge_id": charge_id,
    }


async def test_paying_by_card_sends_order_info_and_a_provider_charge(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    sandbox.add_user(1001, "Alice", last_name="Liddell", phone_number="447700900123")
    invoice = await ok(http, sandbox_server, "sendInvoice", **CARD_INVOICE)
    paying = asyncio.create_task(
        control(http, sandbox_server, "/users/1001/pay", message_id=invoice["message_id"])
    )
    query = await next_update(http, sandbox_server, "pre_checkout_query")
    assert query["order_info"] == {"name": "Alice Liddell", "phone_number": "447700900123"}
    await ok(
        http, sandbox_server, "answerPreCheckoutQuery", pre_checkout_query_id=query["id"], ok=True
    )
    assert (await paying)[1]["ok"]
    payment = (await next_update(http, sandbox_server, "message"))["successful_payment"]
    assert payment["telegram_payment_charge_id"].startswith(f"{sandbox.bot.id}_1001_")
    assert payment["provider_payment_charge_id"] and payment["order_info"] == query["order_info"]
    status, body = await call(
        http,
        sandbox_server,
        "refundStarPayment",
        user_id=1001,
        telegram_payment_charge_id=payment["telegram_payment_charge_id"],
    )
    assert (status, body["description"]) == (400, "Bad Request: CHARGE_NOT_FOUND")  # not Stars


async def test_the_bot_refusing_shows_its_reason(
    http: aiohttp.ClientSession, sandbox_server: SandboxServer, sandbox: Sandbox
) -> None:
    sandbox.add_user(1001)
    invoice = await ok(http, sandbox_server, "sendInvoice", **STARS_INVOICE)
    paying = asyncio.create_task(
        control(http, sandbox_server, "/users/1001/pay", message_id=invoice["message_id"])
    )
    query = await next_update(http, sandbox_server, "pre_checkout_query")
    status, body = await call(
        http, sandbox_server, "answerPreCheckoutQuery", pre_checkout_query_id=query["id"], ok=False
    )
    assert (status, body["description"]) == (
        400,
        'Bad Request: parameter "error_message" is required',
    )
    await ok(
        http,
        sandbox_server,
        "answerPreCheckoutQuery",
        pre_checkout_query_id=query["id"],
        ok=False,
        error_message="This order was cancelled",
    )
    status, result = await paying
    assert (result["ok"], result["error_message"], result["charge"]) == (
        False,
        "This order was cancelled",
        None,
    )
    status, body = await call(
        http, sandbox_server, "answerPreCheckoutQuery", pre_checkout_query_id=query["id"], ok=True
    )
    assert (status, body["description"]) == (
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    assert sandbox.payments.charges == {}
    assert [m for m in sandbox.messages(1001) if m.successful_payment] == []


async def test_an_unanswered_pre_checkout_fails_the_payment(
    http: aiohttp.ClientSession, quick: SandboxServer
) -> None:
    invoice = await ok(http, quick, "sendInvoice", **STARS_INVOICE)
    status, result = await control(http, quick, "/users/1001/pay", message_id=invoice["message_id"])
    assert (status, result["ok"], result["timed_out"]) == (200, False, True)
    status, body = await call(
        http,
        quick,
        "answerPreCheckoutQuery",
        pre_checkout_query_id=result["pre_checkout_query_id"],
        ok=True,
    )
    assert (status, body["description"]) == (
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    assert quick.sandbox.payments.charges == {}
    assert not any(m.successful_payment for m in quick.sandbox.messages(1001))


async def test_forged_and_replayed_payment_updates(
    http: aiohttp.ClientSession, patient: SandboxServer
) -> None:
    status, query = await control(
        http,
        patient,
        "/users/1001/pre_checkout_query",
        currency="XTR",
        total_amount=1,
        invoice_payload="order:someone-elses",
    )
    assert status == 200
    delivered = await next_update(http, patient, "pre_checkout_query")
    assert (delivered["id"], delivered["total_amount"]) == (query["id"], 1)
    await ok(
        http,
        patient,
        "answerPreCheckoutQuery",
        pre_checkout_query_id=query["id"],
        ok=False,
        error_message="Not your order",
    )
    async with http.get(f"{patient.url}/sandbox/pre_checkout_queries/{query['id']}") as response:
        answered = await response.json()
    assert (answered["ok"], answered["error_message"]) == (False, "Not your order")

    status, forged = await control(
        http,
        patient,
        "/users/1001/successful_payment",
        currency="XTR",
        total_amount=1,
        invoice_payload="order:42:v1",
        telegram_payment_charge_id="stxforged",
    )
    assert forged["successful_payment"]["telegram_payment_charge_id"] == "stxforged"
    first = await next_update(http, patient, "message")
    status, replay = await control(
        http, patient, f"/chats/1001/messages/{forged['message_id']}/redeliver"
    )
    assert status == 200 and replay["update_id"] > 0
    again = await next_update(http, patient, "message")
    assert first == again and first["message_id"] == forged["message_id"]
    status, body = await call(
        http, patient, "refundStarPayment", user_id=1001, telegram_payment_charge_id="stxforged"
    )
    assert body["description"] == "Bad Request: CHARGE_NOT_FOUND"  # nobody was charged
