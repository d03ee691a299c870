"""What a fake user does with payments: paying invoices, and the forged or replayed payment
updates attack tests need (see :mod:`sandbox.payments`)."""

from collections.abc import Awaitable, Callable
from typing import Any

from sandbox.models import Conversation, Message
from sandbox.payments import PaymentResult, PreCheckout
from sandbox.watcher import ChatWatcher


class PayingUser(ChatWatcher):
    """The payment side of :class:`~sandbox.driver.FakeUser`."""

    @property
    def id(self) -> int:
        raise NotImplementedError

    def _chat(self, chat_id: int | None) -> Conversation:
        raise NotImplementedError

    @property
    def invoices(self) -> list[Message]:
        """The bot's invoice messages in the private chat."""
        return [m for m in self.bot_messages if m.invoice is not None]

    async def pay(
        self,
        invoice: Message | int | None = None,
        *,
        chat_id: int | None = None,
        order_info: dict[str, Any] | None = None,
        before_charge: Callable[[], Awaitable[object]] | None = None,
    ) -> PaymentResult:
        """Pay an invoice (a message or its id; default the latest unpaid one): the bot gets
        the pre-checkout query and has the sandbox's time limit to answer. The result says
        whether the user was charged, the bot's refusal, or that it did not answer in time.
        ``before_charge`` runs between the bot's yes and the charge."""
        if invoice is None:
            unpaid = [
                m
                for m in self._chat(chat_id).messages.values()
                if m.invoice is not None and not m.invoice.paid and not m.deleted
            ]
            if not unpaid:
                raise LookupError(f"no unpaid invoice; {self.transcript()}")
            invoice = unpaid[-1]
        message_id = invoice if isinstance(invoice, int) else invoice.message_id
        return await self.sandbox.payments.pay(
            self.id,
            message_id,
            chat_id=chat_id,
            order_info=order_info,
            before_charge=before_charge,
        )

    async def send_pre_checkout(
        self,
        *,
        currency: str,
        total_amount: int,
        invoice_payload: str,
        order_info: dict[str, Any] | None = None,
        wait: bool = True,
    ) -> PreCheckout:
        """A forged pre-checkout query (no invoice behind it); unless ``wait`` is false,
        returns once the bot answered or the time limit passed."""
        query = self.sandbox.payments.start_checkout(
            self.id,
            currency=currency,
            total_amount=total_amount,
            invoice_payload=invoice_payload,
            order_info=order_info,
        )
        return await self.sandbox.payments.wait_answer(query) if wait else query

    def send_successful_payment(
        self,
        *,
        currency: str,
        total_amount: int,
        invoice_payload: str,
        telegram_payment_charge_id: str | None = None,
        provider_payment_charge_id: str | None = None,
    ) -> Message:
        """A forged ``successful_payment`` message: no charge stands behind it."""
        return self.sandbox.payments.forge_payment(
            self.id,
            currency=currency,
            total_amount=total_amount,
            invoice_payload=invoice_payload,
            telegram_payment_charge_id=telegram_payment_charge_id,
            provider_payment_charge_id=provider_payment_charge_id,
        )

    def redeliver(self, message: Message) -> int:
        """Deliver the user's ``message`` (a payment, say) to the bot once more."""
        return self.sandbox.redeliver(message.chat_id, message.message_id)
