"""Stars payments the shop missed, recorded from Telegram's ledger of the bot's Stars.

An update can still go missing after the bot confirmed nothing it had not handled:
Telegram keeps an unconfirmed update only 24 hours, and an update whose handling failed
for good is confirmed all the same. For Stars, Telegram's ledger (getStarTransactions,
oldest first) lists every payment to the bot: an incoming transaction from a user, whose
id is the payment's ``telegram_payment_charge_id``. ``reconcile`` records each one as its
``successful_payment`` would have been (``Payments.record``): one charge id pays one
order and the customer hears once, whichever records it first; a payment recorded before
changes nothing.

A cursor (``counters``, ``starLedger``) counts the ledger's transactions already
reconciled; it only moves forward (``$max``), a page at a time once the page's payments
are recorded, so a run reads what is new and any number of processes may run at once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from core.accounts.users import Users
from core.config import STARS
from core.sales.models import LedgerPage, PaymentOutcome, ReceivedPayment, StarPayment
from core.sales.payments import Payments
from core.store import Store

log = logging.getLogger(__name__)

PAGE = 100
"""Transactions per ledger read (Telegram's most)."""
CURSOR = "starLedger"


ReadLedger = Callable[[int, int], Awaitable[LedgerPage]]
"""Reads the ledger from ``offset``, at most ``limit`` transactions (the bot's side)."""


class StarLedger:
    def __init__(self, store: Store, users: Users, payments: Payments) -> None:
        self._counters = store.counters
        self._users = users
        self._payments = payments

    async def reconcile(self, read: ReadLedger) -> int:
        """Record the ledger's payments since the last run; how many the shop had missed."""
        cursor = await self._counters.find_one({"_id": CURSOR})
        offset = 0 if cursor is None else int(cursor["value"])
        missed = 0
        while True:
            page = await read(offset, PAGE)
            for payment in page.payments:
                missed += await self._record(payment)
            offset += page.transactions
            await self._counters.update_one(
                {"_id": CURSOR}, {"$max": {"value": offset}}, upsert=True
            )
            if page.transactions < PAGE:
                return missed

    async def _record(self, payment: StarPayment) -> bool:
        payer = await self._users.by_telegram(payment.payer_telegram_id)
        outcome = await self._payments.record(
            None if payer is None else payer.id,
            ReceivedPayment(
                currency=STARS,
                total_amount=payment.amount,
                invoice_payload=payment.invoice_payload,
                telegram_payment_charge_id=payment.charge_id,
                provider_payment_charge_id="",
            ),
        )
        if outcome in (PaymentOutcome.PAID, PaymentOutcome.OWED_BACK):
            log.warning(
                "missed Stars payment recorded from Telegram's ledger",
                extra={"charge_id": payment.charge_id, "outcome": outcome.value},
            )
            return True
        return False
