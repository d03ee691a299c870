"""The payment methods of the Bot API: sendInvoice, createInvoiceLink, answerPreCheckoutQuery,
refundStarPayment, getStarTransactions.

sendInvoice (and createInvoiceLink) is checked in the order Telegram checks it, with its texts:
the Bot API server's own (``parameter "title" is required``, "can't parse prices JSON
object"...), TDLib's ("total price must be positive"...) and Telegram's
(``INVOICE_PAYLOAD_INVALID``, ``CURRENCY_INVALID`` for a currency Telegram does not take,
``CURRENCY_TOTAL_AMOUNT_INVALID``, ``PAYMENT_PROVIDER_INVALID`` for a currency other than Stars
without a provider token or with one the sandbox was told to refuse
(``Payments.refuse_provider_token``), ``STARS_INVOICE_INVALID`` for Stars with a provider token
or several prices, ``REPLY_MARKUP_BUY_EMPTY`` when a given keyboard does not start with a Pay
button).
``TITLE_INVALID`` and ``DESCRIPTION_INVALID`` come from a third-party reference, not Telegram.
The user's side of paying is :mod:`sandbox.payments`.
"""

import re
from typing import Any

from sandbox.currencies import CURRENCIES, STARS, SUPPORTED
from sandbox.errors import ApiError, bad_request
from sandbox.markup import validate_markup
from sandbox.models import Invoice
from sandbox.params import Params
from sandbox.registry import api_method
from sandbox.sending import send, target_chat
from sandbox.state import Sandbox

MAX_AMOUNT = 10**12 - 1
"""TDLib's bound on any amount in minor units."""
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_NEEDS = {
    "need_name": "name",
    "need_phone_number": "phone_number",
    "need_email": "email",
    "need_shipping_address": "shipping_address",
}


@api_method("sendInvoice")
async def send_invoice(sandbox: Sandbox, params: Params) -> dict[str, Any]:
    chat = target_chat(sandbox, params)
    invoice = _invoice(sandbox, params)
    markup = validate_markup(params.get_json("reply_markup"))
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    check_pay_button(markup)
    return send(sandbox, chat, invoice=invoice, reply_markup=markup)


@api_method("createInvoiceLink")
async def create_invoice_link(sandbox: Sandbox, params: Params) -> str:
    """A link to pay the invoice, checked as sendInvoice checks one (``Payments.links``)."""
    return sandbox.payments.add_link(_invoice(sandbox, params))


@api_method("answerPreCheckoutQuery")
async def answer_pre_checkout_query(sandbox: Sandbox, params: Params) -> bool:
    ok = params.get_bool("ok")
    error_message = params.get_str("error_message")
    if not ok and not error_message:
        raise bad_request('parameter "error_message" is required')
    sandbox.payments.answer(
        params.get_str("pre_checkout_query_id") or "", ok, None if ok else error_message
    )
    return True


@api_method("refundStarPayment")
async def refund_star_payment(sandbox: Sandbox, params: Params) -> bool:
    user_id = params.get_int("user_id") or 0
    if user_id <= 0:
        raise bad_request("invalid user_id specified")
    charge_id = params.get_str("telegram_payment_charge_id")
    if not charge_id:
        raise bad_request('parameter "telegram_payment_charge_id" is required')
    sandbox.payments.refund(user_id, charge_id)
    return True


@api_method("getStarTransactions")
async def get_star_transactions(sandbox: Sandbox, params: Params) -> dict[str, Any]:
    offset = max(params.get_int("offset") or 0, 0)
    limit = min(max(params.get_int("limit") or 100, 1), 100)
    transactions = sandbox.payments.star_transactions
    return {"transactions": transactions[offset : offset + limit]}


def check_pay_button(markup: dict[str, Any] | None) -> None:
    """An invoice's inline keyboard, when given, must start with a Pay button."""
    rows = (markup or {}).get("inline_keyboard")
    if rows and not (rows[0] and rows[0][0].get("pay") is True):
        raise bad_request("REPLY_MARKUP_BUY_EMPTY")


def _invoice(sandbox: Sandbox, params: Params) -> Invoice:
    for name in ("title", "description", "payload", "currency", "prices"):
        if not params.get_str(name):
            raise bad_request(f'parameter "{name}" is required')
    title, description = params.get_str("title") or "", params.get_str("description") or ""
    payload, currency = params.get_str("payload") or "", params.get_str("currency") or ""
    provider_token = params.get_str("provider_token") or ""
    prices = _prices(params)
    max_tip, tips = _tips(params)
    total = sum(price["amount"] for price in prices)
    if total <= 0:
        raise bad_request("total price must be positive")
    if total > MAX_AMOUNT:
        raise bad_request("total price is too big")
    if not 1 <= len(title) <= 32:
        raise bad_request("TITLE_INVALID")
    if not 1 <= len(description) <= 255:
        raise bad_request("DESCRIPTION_INVALID")
    if len(payload.encode()) > 128:
        raise bad_request("INVOICE_PAYLOAD_INVALID")
    if not _CURRENCY.match(currency) or currency not in SUPPORTED:
        raise bad_request("CURRENCY_INVALID")
    if currency == STARS:
        if provider_token or len(prices) != 1 or max_tip:
            raise bad_request("STARS_INVOICE_INVALID")
    elif not provider_token or provider_token in sandbox.payments.refused_provider_tokens:
        raise bad_request("PAYMENT_PROVIDER_INVALID")
    limits = CURRENCIES.get(currency)
    if limits is not None and not limits.min_amount <= total <= limits.max_amount:
        raise bad_request("CURRENCY_TOTAL_AMOUNT_INVALID")
    return Invoice(
        title=title,
        description=description,
        payload=payload,
        currency=currency,
        prices=prices,
        provider_token=provider_token,
        start_parameter=params.get_str("start_parameter") or "",
        max_tip_amount=max_tip,
        suggested_tip_amounts=tips,
        needs=frozenset() if currency == STARS else _needs(params),
    )


def _prices(params: Params) -> list[dict[str, Any]]:
    """``prices``: a JSON array of LabeledPrice with integer amounts in minor units."""
    try:
        prices = params.get_json("prices")
    except ApiError:
        raise bad_request("can't parse prices JSON object") from None
    if not isinstance(prices, list):
        raise bad_request("expected an Array of labeled prices")
    parsed = []
    for price in prices:
        if not isinstance(price, dict):
            raise bad_request("can't parse labeled price: LabeledPrice must be an Object")
        if not price.get("label"):
            raise bad_request("can't parse labeled price: LabeledPrice label must be non-empty")
        amount = price.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise bad_request('can\'t parse labeled price: Field "amount" must be a valid Number')
        if abs(amount) > MAX_AMOUNT:
            raise bad_request("too big amount of the currency specified")
        parsed.append({"label": str(price["label"]), "amount": amount})
    if not parsed:
        raise bad_request("there must be at least one price")
    return parsed


def _tips(params: Params) -> tuple[int, list[int]]:
    try:
        max_tip = params.get_int("max_tip_amount") or 0
    except ApiError:
        raise bad_request('can\'t parse "max_tip_amount" as Number') from None
    try:
        tips = params.get_json("suggested_tip_amounts") or []
    except ApiError:
        raise bad_request("can't parse suggested_tip_amounts JSON object") from None
    if not isinstance(tips, list) or not all(isinstance(t, int) for t in tips):
        raise bad_request("expected an Array of suggested tip amounts")
    if not 0 <= max_tip <= MAX_AMOUNT:
        raise bad_request("invalid max_tip_amount of the currency specified")
    for tip in tips:
        if tip <= 0:
            raise bad_request("suggested tip amount must be positive")
        if tip > max_tip:
            raise bad_request("suggested tip amount can't be bigger than max_tip_amount")
    if len(tips) > 4:
        raise bad_request("there can be at most 4 suggested tip amounts")
    return max_tip, tips


def _needs(params: Params) -> frozenset[str]:
    needs = {field for name, field in _NEEDS.items() if params.get_bool(name)}
    if params.get_bool("send_phone_number_to_provider"):
        needs.add("phone_number")
    if params.get_bool("send_email_to_provider"):
        needs.add("email")
    if params.get_bool("is_flexible"):
        needs.add("shipping_address")
    return frozenset(needs)
