"""Payments in the chat: invoices for orders, Telegram's pre-checkout query and successful
payment, and unpaid orders released after ``ORDER_PAYMENT_MINUTES``.

An invoice's payload names the order and its version (``o:<id>:<version>``). It comes back,
untrusted, in every pre-checkout query and payment, and the order is read afresh each time.

Paying an order; each step is one guarded single-document write on the order:

1. pre-checkout (``check``): Telegram asks whether to take the money, and the bot has 10 s
   to answer. Yes only if the order exists, is the payer's, is pending with no charge, is
   within its payment window, and the amount and currency are its total. The yes is a
   write that sets a short hold (``payment.holdUntil``, ``HOLD``) on the order as it was
   read, while it is still within its window. Expiry skips held orders, so expiry and the
   yes cannot both win: whichever writes first decides.
2. payment (``record``): the ``successful_payment`` message. The order, read afresh:

   - already records this ``telegram_payment_charge_id``: nothing (a redelivered update,
     a second worker, a replay);
   - pending with no charge: ``paid``, the charge in the payment record, a history entry
     ``by: payment``, the customer's notice and the operators' order card, in one write
     (``Orders.move``);
   - cancelled meanwhile, with no charge: the charge is recorded as ``late`` and
     ``refund_due``, the customer and the operators are told, and a Stars charge is refunded
     (``core/sales/refunds.py``);
   - paid already by another charge (or by hand): the charge goes to ``extraCharges``,
     ``refund_due``, likewise.

   Each write is guarded by what it was decided on; one that misses reads again and
   decides again. A payment that names no order of the payer, or other money than its
   total, or whose charge id another order records (a unique index), changes nothing and
   is logged as a warning.

Expiry (``expire_unpaid``, in the recovery loop): each pending order with no charge, not
left to manual payment, placed longer ago than the window and not held, is cancelled by
``Orders.move`` under those same conditions: its stock comes back through the restock
journal and the customer gets one notice. Any number of processes may run it at once; per
order, one write wins.

Recovery: every step is a single write, so nothing is left half done but what the writes
hand on, and that has its own recovery: the restock journal (``Orders.recover``) and the
outbox (``Outbox.relay_pending``).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from core.accounts.access import Actor
from core.accounts.models import STAFF
from core.base import clock
from core.base.commands import HistoryQuery
from core.base.models import Page
from core.config import STARS, CoreSettings
from core.messaging.models import NoticeKind
from core.sales.errors import NoRefundDue, PaymentRefused, Unpayable
from core.sales.goods import methods_for
from core.sales.models import (
    Charge,
    Invoice,
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentOutcome,
    PaymentState,
    PriceLine,
    ReceivedPayment,
    RefundJob,
    ShopProcess,
)
from core.sales.orders import NEWEST_FIRST, Orders
from core.sales.outbox import Outbox, outbox_entry
from core.sales.refunds import star_refund
from core.store import Store, find_page, update_and_fetch

log = logging.getLogger(__name__)

HOLD = timedelta(minutes=2)
"""How long a yes to a pre-checkout query keeps expiry away from the order."""
ATTEMPTS = 5
"""Decisions on one payment; each miss means the order changed (it can only a few times)."""
TITLE_LIMIT = 32
DESCRIPTION_LIMIT = 255
PAYLOAD = re.compile(r"o:([0-9a-f]{24}):(\d{1,9})")
CHARGE_ID = "payment.telegramPaymentChargeId"


def method_of(currency: str) -> PaymentMethod:
    return PaymentMethod.STARS if currency == STARS else PaymentMethod.PROVIDER


def payload_of(order: Order) -> str:
    return f"o:{order.id}:{order.version}"


def _parse(payload: str) -> tuple[ObjectId, int] | None:
    if match := PAYLOAD.fullmatch(payload):
        return ObjectId(match[1]), int(match[2])
    return None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Payments:
    def __init__(
        self, store: Store, orders: Orders, outbox: Outbox, settings: CoreSettings
    ) -> None:
        self._orders = store.orders
        self._moves = orders
        self._outbox = outbox
        self.methods = settings.payment_methods
        self._token = settings.payment_provider_token
        self._window = settings.payment_window

    @property
    def online_methods(self) -> tuple[PaymentMethod, ...]:
        return tuple(m for m in self.methods if m is not PaymentMethod.MANUAL)

    # -- the customer ----------------------------------------------------------------------

    async def invoice_for(
        self, user_id: ObjectId, order_id: object, method: PaymentMethod
    ) -> Invoice:
        """The invoice for the customer's own order, if it can be paid by ``method`` now."""
        if method not in self.online_methods:
            raise PaymentRefused(Unpayable.UNAVAILABLE)
        order = await self._moves.get_own(user_id, order_id)
        if reason := self._refusal(order, clock.now()):
            raise PaymentRefused(reason)
        if method not in methods_for(order, self.methods):
            raise PaymentRefused(Unpayable.STARS_ONLY)
        lines = [(f"{line.name} x {line.quantity}", line.line_total) for line in order.products]
        if order.delivery is not None and order.delivery.fee:
            lines.append((order.delivery.title, order.delivery.fee))
        if order.promo is not None:  # a discount is a component of its own, below zero
            lines.append((f"Discount ({order.promo.code})", -order.promo.discount))
        title = f"Order #{order.number}"
        description = ", ".join(label for label, _ in lines)
        token = ""
        if method is PaymentMethod.STARS:  # Telegram takes exactly one price in Stars
            lines = [(title, order.total_amount)]
        elif self._token is not None:
            token = self._token.get_secret_value()
        return Invoice(
            method=method,
            title=_clip(title, TITLE_LIMIT),
            description=_clip(description, DESCRIPTION_LIMIT),
            payload=payload_of(order),
            currency=order.currency,
            prices=tuple(
                PriceLine(label=_clip(label, 64), amount=amount) for label, amount in lines
            ),
            provider_token=token,
        )

    async def choose_manual(self, user_id: ObjectId, order_id: object) -> Order:
        """The customer will pay by hand: their order no longer expires unpaid."""
        if PaymentMethod.MANUAL not in self.methods:
            raise PaymentRefused(Unpayable.UNAVAILABLE)
        order = await self._moves.get_own(user_id, order_id)
        now = clock.now()
        if reason := self._refusal(order, now):
            raise PaymentRefused(reason)
        if PaymentMethod.MANUAL not in methods_for(order, self.methods):
            raise PaymentRefused(Unpayable.STARS_ONLY)
        chosen = await update_and_fetch(
            self._orders,
            {
                "_id": order.id,
                "status": OrderStatus.PENDING.value,
                CHARGE_ID: {"$exists": False},
                **self._in_window(now),
            },
            {"$set": {"payment.method": PaymentMethod.MANUAL.value}},
        )
        if chosen is None:
            raise PaymentRefused(Unpayable.CHANGED)
        return Order.model_validate(chosen)

    # -- Telegram --------------------------------------------------------------------------

    async def check(
        self, payer: ObjectId | None, payload: str, currency: str, total_amount: int
    ) -> None:
        """Answer a pre-checkout query: return to take the money (the order is then held),
        or raise ``PaymentRefused`` with the reason to show."""
        now = clock.now()
        order = await self._payers_order(payer, payload)
        if order is None:
            raise PaymentRefused(Unpayable.NOT_FOUND)
        if reason := self._refusal(order, now):
            raise PaymentRefused(reason)
        if currency != order.currency or total_amount != order.total_amount:
            raise PaymentRefused(Unpayable.PRICE_CHANGED)
        if method_of(currency) not in self.online_methods:
            raise PaymentRefused(Unpayable.UNAVAILABLE)
        if method_of(currency) not in methods_for(order, self.methods):
            raise PaymentRefused(Unpayable.STARS_ONLY)
        parsed = _parse(payload)
        if parsed is None or parsed[1] != order.version:
            raise PaymentRefused(Unpayable.OUT_OF_DATE)
        held = await self._orders.update_one(
            {
                "_id": order.id,
                "status": OrderStatus.PENDING.value,
                "version": order.version,
                CHARGE_ID: {"$exists": False},
                **self._in_window(now),
            },
            {"$set": {"payment.holdUntil": now + HOLD}},
        )
        if held.matched_count == 0:
            raise PaymentRefused(await self._reason_now(order.id, now))

    async def record(self, payer: ObjectId | None, payment: ReceivedPayment) -> PaymentOutcome:
        """Record a ``successful_payment`` exactly once (see the module's docstring)."""
        method = method_of(payment.currency)
        for _ in range(ATTEMPTS):
            order = await self._payers_order(payer, payment.invoice_payload)
            if order is None:
                return self._refuse("names no order of the payer", payer, payment)
            if (payment.currency, payment.total_amount) != (order.currency, order.total_amount):
                return self._refuse("is not the order's total", payer, payment)
            now = clock.now()
            charge = Charge(
                telegram_payment_charge_id=payment.telegram_payment_charge_id,
                provider_payment_charge_id=payment.provider_payment_charge_id,
                method=method,
                amount=payment.total_amount,
                currency=payment.currency,
                at=now,
                state=PaymentState.PAID,
            )
            try:
                outcome = await self._apply(order, charge)
            except DuplicateKeyError:
                return self._refuse("reuses a charge another order records", payer, payment)
            if outcome is not None:
                if outcome is PaymentOutcome.OWED_BACK:
                    log.warning(
                        "payment owed back",
                        extra={"order_id": str(order.id), "status": order.status.value},
                    )
                return outcome
        raise PaymentRefused(Unpayable.CHANGED)

    async def star_refunded(self, job: RefundJob) -> bool:
        """Telegram refunded a Stars charge (``core/sales/refund_jobs.py``): record it and tell
        the customer, in one write; False when it was recorded before."""
        charge_id = job.telegram_payment_charge_id
        notice = outbox_entry(
            NoticeKind.REFUNDED,
            job.order_id,
            charge_id,
            totalAmount=job.amount,
            currency=job.currency,
        )
        if not await self.refunded(job.order_id, charge_id, notice):
            return False
        await self._outbox.relay(job.order_id)
        return True

    async def refunded(
        self, order_id: ObjectId, charge_id: str | None, notice: dict[str, Any] | None = None
    ) -> bool:
        """Record that a charge owed back was refunded (the main one when ``charge_id`` is
        None), with ``notice`` for the outbox if given; False when no such refund was due."""
        now = clock.now()
        main: dict[str, Any] = {"_id": order_id, "payment.state": PaymentState.REFUND_DUE.value}
        if charge_id is not None:
            main[CHARGE_ID] = charge_id
        told = {} if notice is None else {"$push": {"outbox": notice}}
        done = {"payment.state": PaymentState.REFUNDED.value, "payment.refundedAt": now}
        if (await self._orders.update_one(main, {"$set": done, **told})).matched_count:
            return True
        if charge_id is None:
            return False
        # By index, not the positional operator, which the embedded engine does not apply
        # to an array inside a subdocument (core/store.py); extra charges are only appended.
        document = await self._orders.find_one({"_id": order_id}, {"payment.extraCharges": 1})
        extras = (document or {}).get("payment", {}).get("extraCharges", [])
        index = next(
            (i for i, c in enumerate(extras) if c["telegramPaymentChargeId"] == charge_id), None
        )
        if index is None:
            return False
        at = f"payment.extraCharges.{index}"
        extra = await self._orders.update_one(
            {
                "_id": order_id,
                f"{at}.telegramPaymentChargeId": charge_id,
                f"{at}.state": PaymentState.REFUND_DUE.value,
            },
            {"$set": {f"{at}.state": PaymentState.REFUNDED.value}, **told},
        )
        return extra.matched_count == 1

    # -- staff -----------------------------------------------------------------------------

    async def refunds_due(self, actor: Actor, query: HistoryQuery) -> Page[Order]:
        """Orders with a payment owed back, newest first."""
        actor.require(*STAFF)
        due = PaymentState.REFUND_DUE.value
        filters = {
            "placed": True,
            "$or": [{"payment.state": due}, {"payment.extraCharges.state": due}],
        }
        return await find_page(self._orders, filters, NEWEST_FIRST, Order, query.page, query.limit)

    async def mark_refunded(self, actor: Actor, order_id: object, charge_id: str | None) -> Order:
        """Staff refunded a payment outside Telegram (a provider's, or by hand)."""
        actor.require(*STAFF)
        order = await self._moves.get(actor, order_id)
        if not await self.refunded(order.id, charge_id):
            raise NoRefundDue()
        return await self._moves.get(actor, order.id)

    # -- expiry ----------------------------------------------------------------------------

    async def expire_unpaid(self, at: datetime | None = None) -> int:
        """Cancel the orders still unpaid after the payment window, as of ``at``; how many."""
        if self._window is None:
            return 0
        at = at or clock.now()
        guard = {
            "createdAt": {"$lte": at - self._window},
            "payment.method": {"$ne": PaymentMethod.MANUAL.value},
            CHARGE_ID: {"$exists": False},
            "payment.holdUntil": {"$not": {"$gt": at}},
        }
        candidates = await self._orders.find(
            {
                "placed": True,
                "status": OrderStatus.PENDING.value,
                "journal": {"$exists": False},
                **guard,
            }
        ).to_list()
        expired = 0
        for document in candidates:
            order = Order.model_validate(document)
            moved = await self._moves.move(
                order,
                OrderStatus.CANCELLED,
                ShopProcess.EXPIRY,
                guard=guard,
                notice=NoticeKind.ORDER_EXPIRED,
            )
            expired += moved is not None
        return expired

    # -- helpers ---------------------------------------------------------------------------

    async def _payers_order(self, payer: ObjectId | None, payload: str) -> Order | None:
        parsed = _parse(payload)
        if parsed is None or payer is None:
            return None
        document = await self._orders.find_one({"_id": parsed[0], "placed": True})
        if document is None or document["userId"] != payer:
            return None
        return Order.model_validate(document)

    def _in_window(self, now: datetime) -> dict[str, Any]:
        return {} if self._window is None else {"createdAt": {"$gt": now - self._window}}

    def _refusal(self, order: Order, now: datetime) -> Unpayable | None:
        """Why ``order`` cannot be paid now, or None."""
        if order.status is OrderStatus.CANCELLED:
            return Unpayable.CANCELLED
        if order.status is not OrderStatus.PENDING or order.payment.telegram_payment_charge_id:
            return Unpayable.ALREADY_PAID
        if self._window is not None and order.created_at <= now - self._window:
            return Unpayable.EXPIRED
        return None

    async def _reason_now(self, order_id: ObjectId, now: datetime) -> Unpayable:
        document = await self._orders.find_one({"_id": order_id})
        order = None if document is None else Order.model_validate(document)
        return (order and self._refusal(order, now)) or Unpayable.CHANGED

    async def _apply(self, order: Order, charge: Charge) -> PaymentOutcome | None:
        """One decision on ``charge`` for ``order`` as read; None when the order changed."""
        recorded = order.payment
        charge_id = charge.telegram_payment_charge_id
        known = {
            recorded.telegram_payment_charge_id,
            *(c.telegram_payment_charge_id for c in recorded.extra_charges),
        }
        if charge_id in known:
            return PaymentOutcome.DUPLICATE
        if recorded.telegram_payment_charge_id is None and order.status is OrderStatus.PENDING:
            paid = await self._moves.move(
                order,
                OrderStatus.PAID,
                ShopProcess.PAYMENT,
                guard={CHARGE_ID: {"$exists": False}},
                fields=self._fields(charge, PaymentState.PAID),
                operators=NoticeKind.PAYMENT_RECEIVED,
            )
            return None if paid is None else PaymentOutcome.PAID
        return await self._owe_back(order, charge)

    async def _owe_back(self, order: Order, charge: Charge) -> PaymentOutcome | None:
        """Keep a charge the order did not need, owed back: as the order's payment if it
        was cancelled before any, else as an extra charge."""
        owed = charge.model_copy(update={"state": PaymentState.REFUND_DUE})
        version = order.version + 1
        guard: dict[str, Any] = {
            "_id": order.id,
            "status": order.status.value,
            "version": order.version,
        }
        if (
            order.payment.telegram_payment_charge_id is None
            and order.status is OrderStatus.CANCELLED
        ):
            guard[CHARGE_ID] = {"$exists": False}
            sets = {**self._fields(owed, PaymentState.REFUND_DUE), "payment.late": True}
            change: dict[str, Any] = {"$set": sets}
        else:
            guard["payment.extraCharges.telegramPaymentChargeId"] = {
                "$ne": charge.telegram_payment_charge_id
            }
            extra = {
                **owed.model_dump(by_alias=True),
                "method": owed.method.value,
                "state": owed.state.value,
            }
            change = {"$push": {"payment.extraCharges": extra}}
        notices = [
            outbox_entry(
                NoticeKind.LATE_PAYMENT,
                order.id,
                version,
                totalAmount=charge.amount,
                currency=charge.currency,
            ),
            outbox_entry(NoticeKind.PAYMENT_RECEIVED, order.id, version),
        ]
        if charge.method is PaymentMethod.STARS:
            notices.append(star_refund(order.id, version, owed))
        change.setdefault("$push", {})["outbox"] = {"$each": notices}
        change["$inc"] = {"version": 1}
        change.setdefault("$set", {})["updatedAt"] = charge.at
        document = await update_and_fetch(self._orders, guard, change)
        if document is None:
            return None
        await self._outbox.relay(document)
        return PaymentOutcome.OWED_BACK

    @staticmethod
    def _fields(charge: Charge, state: PaymentState) -> dict[str, Any]:
        return {
            "payment.method": charge.method.value,
            "payment.state": state.value,
            CHARGE_ID: charge.telegram_payment_charge_id,
            "payment.providerPaymentChargeId": charge.provider_payment_charge_id,
            "payment.amount": charge.amount,
            "payment.currency": charge.currency,
            "payment.paidAt": charge.at,
        }

    @staticmethod
    def _refuse(why: str, payer: ObjectId | None, payment: ReceivedPayment) -> PaymentOutcome:
        log.warning(
            "payment refused: it %s",
            why,
            extra={
                "payer": None if payer is None else str(payer),
                "invoice_payload": payment.invoice_payload[:128],
                "currency": payment.currency,
                "total_amount": payment.total_amount,
            },
        )
        return PaymentOutcome.REFUSED
