"""Stars refunds as jobs: core decides, a payments adapter only executes.

Whatever owes a Stars charge back (``core/sales/refunds.py``) appends a ``star_refund`` entry to
the order's outbox in the same write. The relay (``core/sales/outbox.py``) turns it into a job
here, once (its id is the entry's). A payments adapter (``bot/refunder.py``) ``claim``s a
job with a lease, calls refundStarPayment and reports back:

- ``done``: the refund is recorded on the order and the customer's ``refunded`` notice
  appended to its outbox, in one guarded write (``Payments.star_refunded``), then the job
  is closed. Telegram refunds a charge once (a second try is told
  ``CHARGE_ALREADY_REFUNDED``, which the adapter counts as done), and the write only
  matches while the refund is still due, so a crash anywhere repeats nothing;
- ``retry_later``: Telegram or the network failed for now;
- ``failed``: Telegram said no; the order stays ``refund_due`` in staff's list.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from core.base import clock
from core.base.backoff import backoff
from core.messaging.models import SendState
from core.sales.models import JobState, RefundJob
from core.store import Store, insert_new

if TYPE_CHECKING:
    from core.sales.payments import Payments

STAR_REFUND = "star_refund"
"""The kind of outbox entry asking for a Stars refund (earlier versions queued it as a
notification that the notifier executed; ``adopt_old_notices`` takes those over)."""


def refund_job(
    job_id: str, order_id: Any, telegram_user_id: int, fields: dict[str, Any]
) -> dict[str, Any]:
    """A due job from a ``star_refund`` outbox entry's ``fields`` (charge id, amount and
    currency, as ``core/sales/refunds.py`` writes them)."""
    now = clock.now()
    return {
        "_id": job_id,
        "state": JobState.DUE.value,
        "orderId": order_id,
        "telegramUserId": telegram_user_id,
        "telegramPaymentChargeId": fields["telegramPaymentChargeId"],
        "amount": fields["totalAmount"],
        "currency": fields["currency"],
        "attempts": 0,
        "dueAt": now,
        "createdAt": now,
    }


class StarRefunds:
    """Stars refunds waiting for, or done by, a payments adapter."""

    def __init__(self, store: Store, payments: Payments, lease: timedelta) -> None:
        self._jobs = store.refunds
        self._notifications = store.notifications
        self._payments = payments
        self._lease = lease

    async def claim(self, at: datetime | None = None) -> RefundJob | None:
        """Lease the next due job to the caller (it is due again when the lease ends)."""
        now = at or clock.now()
        before = await self._jobs.find_one_and_update(
            {"state": JobState.DUE.value, "dueAt": {"$lte": now}},
            {"$set": {"dueAt": now + self._lease}, "$inc": {"attempts": 1}},
        )
        if before is None:
            return None
        return RefundJob.model_validate({**before, "attempts": before.get("attempts", 0) + 1})

    async def done(self, job: RefundJob) -> None:
        """Telegram refunded the charge (now or before): record it, tell the customer."""
        await self._payments.star_refunded(job)
        await self._finish(job, JobState.DONE, {"doneAt": clock.now()})

    async def failed(self, job: RefundJob, error: str) -> None:
        """Telegram will not refund it: staff see the order's refund still due."""
        await self._finish(job, JobState.FAILED, {"lastError": error})

    async def retry_later(self, job: RefundJob, error: str, delay: timedelta | None = None) -> None:
        """Try again after ``delay`` (a 429's retry_after) or a growing, jittered backoff."""
        if delay is None:
            delay = backoff(job.attempts)
        await self._jobs.update_one(
            {"_id": job.id, "state": JobState.DUE.value},
            {"$set": {"dueAt": clock.now() + delay, "lastError": error}},
        )

    async def adopt_old_notices(self) -> int:
        """Turn ``star_refund`` notifications an earlier version queued (its notifier
        refunded them itself) into jobs with the same ids; how many. Run with recovery."""
        adopted = 0
        waiting = [SendState.QUEUED.value, SendState.SENDING.value]
        old = {"kind": STAR_REFUND, "state": {"$in": waiting}}
        async for notice in self._notifications.find(old):
            fields = {
                "telegramPaymentChargeId": notice["telegramPaymentChargeId"],
                "totalAmount": notice["totalAmount"],
                "currency": notice["currency"],
            }
            job = refund_job(notice["_id"], notice["orderId"], notice["chatId"], fields)
            await insert_new(self._jobs, [job])
            await self._notifications.update_one(
                {"_id": notice["_id"]},
                {"$set": {"state": SendState.CANCELLED.value, "lastError": "now a refund job"}},
            )
            adopted += 1
        return adopted

    async def _finish(self, job: RefundJob, state: JobState, fields: dict[str, Any]) -> None:
        await self._jobs.update_one({"_id": job.id}, {"$set": {"state": state.value, **fields}})
