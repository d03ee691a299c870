"""The ``/sandbox/...`` JSON API for payments: the user paying, and forged or replayed payment
updates for attack tests (see :mod:`sandbox.payments`).

==================================================  ====================================
``POST /sandbox/users/{id}/pay``                    the user pays the invoice
                                                    ``{"message_id", "chat_id"?,
                                                    "order_info"?}``; answers when the bot
                                                    did (or the time limit passed):
                                                    ``{"ok", "error_message",
                                                    "timed_out", "charge", ...}``
``POST /sandbox/users/{id}/pre_checkout_query``     a forged pre-checkout query
                                                    ``{"currency", "total_amount",
                                                    "invoice_payload", "order_info"?}``
``GET  /sandbox/pre_checkout_queries/{id}``         a query and its answer; ``?wait=<s>``
                                                    waits for the answer
``POST /sandbox/users/{id}/successful_payment``     a forged payment message
                                                    ``{"currency", "total_amount",
                                                    "invoice_payload",
                                                    "telegram_payment_charge_id"?,
                                                    "provider_payment_charge_id"?,
                                                    "chat_id"?}``
``GET  /sandbox/payments``                          ``{"charges": [...], "refunds": [...],
                                                    "links": [...]}``
``PUT  /sandbox/payments/refused_provider_tokens``   ``{"token", "refused"?: true}``:
                                                    invoices with this provider token
                                                    get PAYMENT_PROVIDER_INVALID
==================================================  ====================================

Replaying a real payment message: ``POST /sandbox/chats/{id}/messages/{m}/redeliver``.
"""

import dataclasses
from typing import Any

from aiohttp import web

from sandbox.control import chat_id_in, message_view, read_body, sandbox_of, user_id_of, wait_for
from sandbox.payments import PreCheckout

routes = web.RouteTableDef()


def _query_view(query: PreCheckout) -> dict[str, Any]:
    return dataclasses.asdict(query)


@routes.post("/sandbox/users/{user_id}/pay")
async def pay(request: web.Request) -> web.Response:
    body = await read_body(request)
    result = await sandbox_of(request).payments.pay(
        user_id_of(request),
        int(body["message_id"]),
        chat_id=chat_id_in(body),
        order_info=body.get("order_info"),
    )
    return web.json_response(result.to_api())


@routes.post("/sandbox/users/{user_id}/pre_checkout_query")
async def forged_pre_checkout(request: web.Request) -> web.Response:
    body = await read_body(request)
    query = sandbox_of(request).payments.start_checkout(
        user_id_of(request),
        currency=str(body["currency"]),
        total_amount=int(body["total_amount"]),
        invoice_payload=str(body["invoice_payload"]),
        order_info=body.get("order_info"),
    )
    return web.json_response(_query_view(query))


@routes.get("/sandbox/pre_checkout_queries/{query_id}")
async def pre_checkout(request: web.Request) -> web.Response:
    """A pre-checkout query; with ``?wait=<s>``, once the bot answered it (or time ran out)."""
    query = sandbox_of(request).payments.queries.get(request.match_info["query_id"])
    if query is None:
        raise LookupError(f"no pre-checkout query {request.match_info['query_id']}")
    await wait_for(request, lambda: query.answered or query.expired)
    return web.json_response(_query_view(query))


@routes.post("/sandbox/users/{user_id}/successful_payment")
async def forged_payment(request: web.Request) -> web.Response:
    sandbox, body = sandbox_of(request), await read_body(request)
    message = sandbox.payments.forge_payment(
        user_id_of(request),
        currency=str(body["currency"]),
        total_amount=int(body["total_amount"]),
        invoice_payload=str(body["invoice_payload"]),
        telegram_payment_charge_id=body.get("telegram_payment_charge_id"),
        provider_payment_charge_id=body.get("provider_payment_charge_id"),
        chat_id=chat_id_in(body),
    )
    return web.json_response(message_view(sandbox, message))


@routes.get("/sandbox/payments")
async def ledger(request: web.Request) -> web.Response:
    payments = sandbox_of(request).payments
    return web.json_response(
        {
            "charges": [dataclasses.asdict(c) for c in payments.charges.values()],
            "refunds": [dataclasses.asdict(r) for r in payments.refunds],
            "links": list(payments.links),
        }
    )


@routes.put("/sandbox/payments/refused_provider_tokens")
async def refuse_provider_token(request: web.Request) -> web.Response:
    body = await read_body(request)
    refused = bool(body.get("refused", True))
    sandbox_of(request).payments.refuse_provider_token(str(body["token"]), refused)
    return web.json_response({"refused": refused})
