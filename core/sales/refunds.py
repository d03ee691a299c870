"""What an order owes back, decided in the same write as what made it owed.

- Cancelling a paid order owes its payment back: ``payment.state`` becomes ``refund_due``.
  Staff refund a provider (card) payment with the provider, since the Bot API cannot, and
  record it (``POST /api/admin/orders/{id}/refunded``); a Stars payment is refunded by a
  payments adapter, which the same write asks for with a ``star_refund`` outbox entry: a
  refund job (``core/sales/refund_jobs.py``).
- A payment that arrives for an order already cancelled or paid is owed back the same way
  (``core/sales/payments.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bson import ObjectId

from core.sales.models import Charge, Order, PaymentMethod, PaymentState
from core.sales.outbox import outbox_entry
from core.sales.refund_jobs import STAR_REFUND


def manual_payment(now: datetime) -> dict[str, Any]:
    """The payment record of an order staff mark paid by hand."""
    return {
        "payment.method": PaymentMethod.MANUAL.value,
        "payment.state": PaymentState.PAID.value,
        "payment.paidAt": now,
    }


def star_refund(order_id: ObjectId, version: int, charge: Charge) -> dict[str, Any]:
    """The outbox entry asking for a refund job for a Stars ``charge``."""
    return outbox_entry(
        STAR_REFUND,
        order_id,
        version,
        telegramPaymentChargeId=charge.telegram_payment_charge_id,
        totalAmount=charge.amount,
        currency=charge.currency,
    )


def paying_charge(order: Order) -> Charge | None:
    """The charge that paid ``order`` through Telegram, if one did."""
    payment = order.payment
    if payment.telegram_payment_charge_id is None or payment.method is None:
        return None
    return Charge(
        telegram_payment_charge_id=payment.telegram_payment_charge_id,
        provider_payment_charge_id=payment.provider_payment_charge_id or "",
        method=payment.method,
        amount=payment.amount or 0,
        currency=payment.currency or order.currency,
        at=payment.paid_at or order.updated_at,
        state=payment.state,
    )


def refund_on_cancel(order: Order, version: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The fields and outbox entries that cancelling ``order`` (as version ``version``)
    adds: nothing for an unpaid order."""
    if order.payment.state is not PaymentState.PAID:
        return {}, []
    owed = {"payment.state": PaymentState.REFUND_DUE.value}
    charge = paying_charge(order)
    if charge is None or charge.method is not PaymentMethod.STARS:
        return owed, []
    return owed, [star_refund(order.id, version, charge)]
