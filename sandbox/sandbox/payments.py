"""Telegram's side of payments: a user paying an invoice, the pre-checkout query and its
deadline, the ``successful_payment`` service message, charges and Stars refunds.

:meth:`Payments.pay` follows Telegram's steps:

1. The user confirms the payment form of an invoice message: the bot gets a
   ``pre_checkout_query`` update (``id``, ``from``, ``currency``, ``total_amount``,
   ``invoice_payload``, ``order_info`` when the form asked for it).
2. The bot answers with answerPreCheckoutQuery within the time limit (10 s, Telegram's; a
   sandbox may be given a shorter one). No answer in time fails the payment; a late answer gets
   "query is too old and response timeout expired or query ID is invalid".
3. On ``ok`` the user is charged: a :class:`Charge` is recorded and the bot gets a message update,
   the service message with ``successful_payment`` sent by the user in the invoice's chat. On an
   error the user sees the bot's ``error_message`` and nothing is charged.

For attack tests, :meth:`Payments.start_checkout` and :meth:`Payments.forge_payment` deliver
pre-checkout queries and payment messages with any fields, and
:meth:`~sandbox.state.Sandbox.redeliver` repeats an update; none of these records a charge.
"""

import asyncio
import itertools
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.currencies import STARS
from sandbox.errors import WaitTimeout, bad_request
from sandbox.models import Invoice, Message, User

if TYPE_CHECKING:
    from sandbox.state import Sandbox

PRE_CHECKOUT_TIMEOUT = 10.0
"""Seconds Telegram waits for answerPreCheckoutQuery."""
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


@dataclass
class PreCheckout:
    """A pre-checkout query sent to the bot and, once it answered, the answer."""

    id: str
    user_id: int
    currency: str
    total_amount: int
    invoice_payload: str
    order_info: dict[str, Any] | None = None
    chat_id: int | None = None
    message_id: int | None = None
    """The invoice message paid from (None for a forged query)."""
    deadline: float = 0.0
    """``loop.time()`` after which an answer is too late."""
    answered: bool = False
    ok: bool | None = None
    error_message: str | None = None
    expired: bool = False

    def to_api(self, user: User) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "from": user.to_api(),
            "currency": self.currency,
            "total_amount": self.total_amount,
            "invoice_payload": self.invoice_payload,
        }
        if self.order_info:
            data["order_info"] = self.order_info
        return data


@dataclass
class Charge:
    """Money Telegram took from a user for the bot: what refundStarPayment can give back."""

    telegram_payment_charge_id: str
    provider_payment_charge_id: str
    user_id: int
    currency: str
    total_amount: int
    invoice_payload: str
    chat_id: int
    message_id: int
    """The ``successful_payment`` service message."""
    refunded: bool = False


@dataclass
class Refund:
    user_id: int
    telegram_payment_charge_id: str
    total_amount: int
    at: float = field(default_factory=time.time)


@dataclass
class PaymentResult:
    """How paying ended: charged (``ok``), refused by the bot, or not answered in time."""

    query: PreCheckout
    ok: bool
    error_message: str | None = None
    """The bot's reason, shown to the user, when it refused."""
    timed_out: bool = False
    charge: Charge | None = None
    message: Message | None = None
    """The ``successful_payment`` service message."""

    def to_api(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "error_message": self.error_message,
            "timed_out": self.timed_out,
            "pre_checkout_query_id": self.query.id,
            "charge": None if self.charge is None else vars(self.charge),
            "message_id": None if self.message is None else self.message.message_id,
        }


class Payments:
    """Pre-checkout queries, charges and refunds of one sandbox."""

    def __init__(self, sandbox: "Sandbox", timeout: float = PRE_CHECKOUT_TIMEOUT) -> None:
        self.sandbox = sandbox
        self.timeout = timeout
        self.queries: dict[str, PreCheckout] = {}
        self.charges: dict[str, Charge] = {}
        """Real charges by ``telegram_payment_charge_id``."""
        self.refunds: list[Refund] = []
        self.star_transactions: list[dict[str, Any]] = []
        """The bot's Stars ledger, oldest first, as getStarTransactions returns it."""
        self.links: dict[str, Invoice] = {}
        """Invoices made with createInvoiceLink, by their link."""
        self.refused_provider_tokens: set[str] = set()
        """Provider tokens invoices are refused with (PAYMENT_PROVIDER_INVALID): revoked, or
        another bot's (``refuse_provider_token``)."""
        self._numbers = itertools.count(1)

    def refuse_provider_token(self, token: str, refused: bool = True) -> None:
        """Refuse invoices with ``token`` from now on (or accept them again), as Telegram
        refuses a provider token that was revoked or issued to another bot."""
        if refused:
            self.refused_provider_tokens.add(token)
        else:
            self.refused_provider_tokens.discard(token)

    def add_link(self, invoice: Invoice) -> str:
        """Keep an invoice made by createInvoiceLink; its ``https://t.me/$...`` link."""
        link = f"https://t.me/${secrets.token_urlsafe(16)}"
        self.links[link] = invoice
        return link

    # -- the user's side ---------------------------------------------------------------------

    async def pay(
        self,
        user_id: int,
        message_id: int,
        *,
        chat_id: int | None = None,
        order_info: dict[str, Any] | None = None,
        before_charge: Callable[[], Awaitable[object]] | None = None,
    ) -> PaymentResult:
        """The user pays the invoice of ``message_id`` (in their private chat by default).

        ``before_charge`` runs once the bot said yes, before the user is charged and the
        bot gets the payment (a test stops something there)."""
        chat = self.sandbox.conversation(user_id if chat_id is None else chat_id)
        message = chat.messages.get(message_id)
        if message is None or message.invoice is None or message.deleted:
            raise LookupError(f"no invoice #{message_id} in {self.sandbox.transcript(chat.id)}")
        if not chat.is_member(user_id):
            raise LookupError(f"user {user_id} is not in chat {chat.id}")
        invoice = message.invoice
        if invoice.paid:
            raise LookupError(f"invoice #{message_id} was paid already: it shows a receipt")
        if order_info is None and invoice.currency != STARS:
            order_info = self._order_info(self.sandbox.user(user_id), invoice.needs)
        query = self.start_checkout(
            user_id,
            currency=invoice.currency,
            total_amount=invoice.total_amount,
            invoice_payload=invoice.payload,
            order_info=order_info,
            chat_id=chat.id,
            message_id=message_id,
        )
        await self.wait_answer(query)
        if query.expired:
            return PaymentResult(query, ok=False, timed_out=True)
        if not query.ok:
            return PaymentResult(query, ok=False, error_message=query.error_message)
        if before_charge is not None:
            await before_charge()
        invoice.paid = True
        charge, payment = self._charge(query, provider=invoice.currency != STARS)
        return PaymentResult(query, ok=True, charge=charge, message=payment)

    def start_checkout(
        self,
        user_id: int,
        *,
        currency: str,
        total_amount: int,
        invoice_payload: str,
        order_info: dict[str, Any] | None = None,
        chat_id: int | None = None,
        message_id: int | None = None,
    ) -> PreCheckout:
        """Send the bot a ``pre_checkout_query`` (any fields: a forged one, for attack tests)."""
        user = self.sandbox.user(user_id)
        query = PreCheckout(
            id=str(7_300_000_000_000 + next(self._numbers)),
            user_id=user_id,
            currency=currency,
            total_amount=total_amount,
            invoice_payload=invoice_payload,
            order_info=order_info,
            chat_id=chat_id,
            message_id=message_id,
            deadline=asyncio.get_running_loop().time() + self.timeout,
        )
        self.queries[query.id] = query
        self.sandbox.push_update("pre_checkout_query", query.to_api(user))
        return query

    async def wait_answer(self, query: PreCheckout) -> PreCheckout:
        """Until the bot answered ``query`` or its deadline passed (then it is expired)."""
        remaining = query.deadline - asyncio.get_running_loop().time()
        try:
            await self.sandbox.wait_until(
                lambda: query.answered, max(remaining, 0.0), lambda: f"an answer to {query.id}"
            )
        except WaitTimeout:
            query.expired = True
            self.sandbox.notify()
        return query

    def forge_payment(
        self,
        user_id: int,
        *,
        currency: str,
        total_amount: int,
        invoice_payload: str,
        telegram_payment_charge_id: str | None = None,
        provider_payment_charge_id: str | None = None,
        chat_id: int | None = None,
    ) -> Message:
        """A ``successful_payment`` message no charge stands behind, for attack tests."""
        fresh = _charge_ids(self.sandbox.bot.id, user_id, next(self._numbers), currency)
        payment = {
            "currency": currency,
            "total_amount": total_amount,
            "invoice_payload": invoice_payload,
            "telegram_payment_charge_id": telegram_payment_charge_id or fresh[0],
            "provider_payment_charge_id": provider_payment_charge_id or fresh[1],
        }
        return self.sandbox.service_message(
            user_id, user_id if chat_id is None else chat_id, successful_payment=payment
        )

    # -- the bot's side ----------------------------------------------------------------------

    def answer(self, query_id: str, ok: bool, error_message: str | None) -> None:
        """answerPreCheckoutQuery: once, and only before the deadline."""
        query = self.queries.get(query_id)
        if query is not None and asyncio.get_running_loop().time() > query.deadline:
            query.expired = True
        if query is None or query.answered or query.expired:
            raise bad_request(QUERY_TOO_OLD)
        query.answered, query.ok, query.error_message = True, ok, error_message
        self.sandbox.notify()

    def refund(self, user_id: int, telegram_payment_charge_id: str) -> Refund:
        """refundStarPayment: a Stars charge of that user, once."""
        charge = self.charges.get(telegram_payment_charge_id)
        if charge is None or charge.user_id != user_id or charge.currency != STARS:
            raise bad_request("CHARGE_NOT_FOUND")
        if charge.refunded:
            raise bad_request("CHARGE_ALREADY_REFUNDED")
        charge.refunded = True
        refund = Refund(user_id, telegram_payment_charge_id, charge.total_amount)
        self.refunds.append(refund)
        self._star_transaction(charge, "receiver")
        self.sandbox.service_message(  # in the bot's name; Telegram delivers it to the bot too
            None,
            charge.chat_id,
            refunded_payment={
                "currency": STARS,
                "total_amount": charge.total_amount,
                "invoice_payload": charge.invoice_payload,
                "telegram_payment_charge_id": charge.telegram_payment_charge_id,
            },
        )
        return refund

    def _star_transaction(self, charge: Charge, direction: str) -> None:
        """Add to the bot's Stars ledger (getStarTransactions): a charge is incoming
        (``source``), its refund outgoing (``receiver``); both carry the charge's id."""
        partner = {
            "type": "user",
            "transaction_type": "invoice_payment",
            "user": self.sandbox.user(charge.user_id).to_api(),
            "invoice_payload": charge.invoice_payload,
        }
        self.star_transactions.append(
            {
                "id": charge.telegram_payment_charge_id,
                "amount": charge.total_amount,
                "date": int(time.time()),
                direction: partner,
            }
        )

    # -- helpers -----------------------------------------------------------------------------

    def _charge(self, query: PreCheckout, *, provider: bool) -> tuple[Charge, Message]:
        chat_id = query.user_id if query.chat_id is None else query.chat_id
        telegram_id, provider_id = _charge_ids(
            self.sandbox.bot.id, query.user_id, next(self._numbers), query.currency
        )
        payment: dict[str, Any] = {
            "currency": query.currency,
            "total_amount": query.total_amount,
            "invoice_payload": query.invoice_payload,
            "telegram_payment_charge_id": telegram_id,
            "provider_payment_charge_id": provider_id,
        }
        if query.order_info and provider:
            payment["order_info"] = query.order_info
        message = self.sandbox.service_message(query.user_id, chat_id, successful_payment=payment)
        charge = Charge(
            telegram_id,
            provider_id,
            query.user_id,
            query.currency,
            query.total_amount,
            query.invoice_payload,
            chat_id,
            message.message_id,
        )
        self.charges[telegram_id] = charge
        if charge.currency == STARS:
            self._star_transaction(charge, "source")
        return charge, message

    @staticmethod
    def _order_info(user: User, needs: frozenset[str]) -> dict[str, Any] | None:
        """What the payment form fills in from the user's account for the fields asked."""
        name = " ".join(filter(None, [user.first_name, user.last_name]))
        known: dict[str, Any] = {
            "name": name,
            "phone_number": user.phone_number or "",
            "email": f"user{user.id}@example.com",
            "shipping_address": {
                "country_code": "GB",
                "state": "",
                "city": "London",
                "street_line1": "1 Sandbox Street",
                "street_line2": "",
                "post_code": "N1 1AA",
            },
        }
        return {key: known[key] for key in sorted(needs)} or None


def _charge_ids(bot_id: int, user_id: int, number: int, currency: str) -> tuple[str, str]:
    """Unique charge ids shaped like Telegram's: Stars charges are ``stx...`` with the
    provider id ``<user id>_<n>``; provider charges are ``<bot id>_<user id>_<n>`` with the
    provider's own id."""
    if currency == STARS:
        return f"stx{secrets.token_urlsafe(48)}", f"{user_id}_{number}"
    return f"{bot_id}_{user_id}_{number}", secrets.token_hex(12)
