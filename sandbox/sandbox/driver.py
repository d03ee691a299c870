"""The users and groups a test plays: send text, press buttons, share contacts, pay invoices,
wait for the bot, all without sleeping.

Every wait re-checks the sandbox after each change it reports and fails with
:class:`~sandbox.errors.WaitTimeout` (an ``AssertionError``) showing the whole chat.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from sandbox.models import CallbackQuery, Chat, Conversation, Group, Message, User
from sandbox.payments import PaymentResult, PreCheckout
from sandbox.state import Sandbox

T = TypeVar("T")
DEFAULT_TIMEOUT = 5.0


class _ChatWatcher:
    """Reading one chat of the sandbox and waiting for the bot in it."""

    sandbox: Sandbox
    timeout: float

    @property
    def chat(self) -> Conversation:
        raise NotImplementedError

    @property
    def messages(self) -> list[Message]:
        """The chat's messages, both directions, without deleted ones."""
        return [m for m in self.chat.messages.values() if not m.deleted]

    @property
    def bot_messages(self) -> list[Message]:
        """What the bot sent (service messages, such as a refund's, left out)."""
        return [m for m in self.messages if m.from_bot and not m.is_service]

    @property
    def last_message(self) -> Message | None:
        """The bot's latest message still in the chat, in its current (edited) state."""
        bot_messages = self.bot_messages
        return bot_messages[-1] if bot_messages else None

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """The reply keyboard the bot set in this chat, as rows of button texts."""
        return self.chat.reply_keyboard

    def transcript(self) -> str:
        return self.sandbox.transcript(self.chat.id)

    async def wait_for(
        self,
        predicate: Callable[[Message], bool],
        *,
        timeout: float | None = None,  # noqa: ASYNC109
        description: str = "a bot message matching the predicate",
    ) -> Message:
        """The newest bot message (in its current state) for which ``predicate`` holds,
        waiting until there is one."""
        return await self._wait_for_in(self.chat, predicate, timeout, description)

    async def _wait_for_in(
        self,
        chat: Conversation,
        predicate: Callable[[Message], bool],
        timeout: float | None,  # noqa: ASYNC109
        description: str,
    ) -> Message:
        def match() -> Message | None:
            bot_messages = (
                m for m in chat.messages.values() if m.from_bot and not (m.deleted or m.is_service)
            )
            return next((m for m in reversed(list(bot_messages)) if predicate(m)), None)

        return await self._wait(match, timeout, description, chat.id)

    async def _wait(
        self,
        predicate: Callable[[], T | None],
        timeout: float | None,  # noqa: ASYNC109
        what: str,
        chat_id: int | None = None,
    ) -> T:
        chat_id = self.chat.id if chat_id is None else chat_id
        return await self.sandbox.wait_until(
            predicate,
            self.timeout if timeout is None else timeout,
            lambda: f"{what}; {self.sandbox.transcript(chat_id)}",
        )


class FakeUser(_ChatWatcher):
    """A Telegram user in a private chat with the bot (and in any groups they joined).

    >>> alice = FakeUser.create(sandbox, first_name="Alice")
    >>> reply = await alice.send("/start")          # waits for the bot's answer
    >>> await alice.press("Add to cart")            # waits for answerCallbackQuery
    >>> await alice.wait_for(lambda m: "Cart" in m.text)
    >>> result = await alice.pay()                  # the latest invoice; waits for the bot

    Methods taking ``chat_id`` act in that group instead of the private chat.
    """

    def __init__(self, sandbox: Sandbox, user: User, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.sandbox = sandbox
        self.user = user
        self.timeout = timeout

    @classmethod
    def create(
        cls,
        sandbox: Sandbox,
        user_id: int | None = None,
        first_name: str | None = None,
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "en",
        phone_number: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> "FakeUser":
        user = sandbox.add_user(
            user_id,
            first_name,
            username=username,
            last_name=last_name,
            language_code=language_code,
            phone_number=phone_number,
        )
        return cls(sandbox, user, timeout)

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def chat(self) -> Chat:
        return self.sandbox.chat(self.id)

    async def send(
        self,
        text: str,
        *,
        chat_id: int | None = None,
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> Message | None:
        """Write ``text`` to the bot (or into the group ``chat_id``); unless ``wait`` is false,
        return the first bot message sent, edited or deleted in that chat after it."""
        chat = self._chat(chat_id)
        mark = len(chat.bot_activity)
        self.sandbox.user_sends(self.id, text, chat_id=chat_id)
        if not wait:
            return None
        return await self._activity_after(chat, mark, timeout, f"a reply to {text!r}")

    async def press(
        self,
        button_text: str,
        *,
        message_id: int | None = None,
        chat_id: int | None = None,
        wait_edit: bool = False,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> CallbackQuery:
        """Press the inline button labelled ``button_text`` in ``message_id`` (default: the
        latest bot message with an inline keyboard) and wait until the bot answered the
        callback query; with ``wait_edit``, also until that message was edited or deleted."""
        chat = self._chat(chat_id)
        mark = len(chat.bot_activity)
        query = self.sandbox.press(self.id, button_text, message_id, chat_id=chat_id)
        await self._answered(query, timeout, f"pressing {button_text!r}")
        if wait_edit:
            await self._activity_after(
                chat, mark, timeout, f"message #{query.message_id} to change", query.message_id
            )
        return query

    async def send_callback(
        self,
        data: str,
        *,
        message_id: int | None = None,
        chat_id: int | None = None,
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> CallbackQuery:
        """Send forged ``callback_data`` on a bot message (default: the latest), as a modified
        client could; unless ``wait`` is false, wait until the bot answered it."""
        query = self.sandbox.send_callback(self.id, data, message_id, chat_id=chat_id)
        if wait:
            await self._answered(query, timeout, f"forged callback data {data!r}")
        return query

    async def wait_for(
        self,
        predicate: Callable[[Message], bool],
        *,
        chat_id: int | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
        description: str = "a bot message matching the predicate",
    ) -> Message:
        """The newest bot message (in its current state) of the private chat, or of the group
        ``chat_id``, for which ``predicate`` holds, waiting until there is one."""
        return await self._wait_for_in(
            self._chat(chat_id), predicate, timeout, f"{description} from user {self.id}"
        )

    # -- contacts ----------------------------------------------------------------------------

    async def share_contact(
        self,
        button_text: str | None = None,
        *,
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> Message | None:
        """Press the reply keyboard's ``request_contact`` button: the user's own contact goes
        to the bot. Unless ``wait`` is false, return the bot's first reaction."""
        mark = len(self.chat.bot_activity)
        self.sandbox.share_contact(self.id, button_text)
        if not wait:
            return None
        return await self._activity_after(self.chat, mark, timeout, "a reply to the contact")

    async def send_contact(
        self,
        phone_number: str,
        first_name: str,
        *,
        user_id: int | None = None,
        last_name: str | None = None,
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> Message | None:
        """Send any contact, someone else's too (``user_id`` of another user: a forged
        "my phone number"), as the attachment menu allows."""
        contact: dict[str, Any] = {"phone_number": phone_number, "first_name": first_name}
        if last_name is not None:
            contact["last_name"] = last_name
        if user_id is not None:
            contact["user_id"] = user_id
        mark = len(self.chat.bot_activity)
        self.sandbox.send_contact(self.id, contact)
        if not wait:
            return None
        return await self._activity_after(self.chat, mark, timeout, "a reply to the contact")

    # -- payments ----------------------------------------------------------------------------

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
    ) -> PaymentResult:
        """Pay an invoice (a message or its id; default the latest unpaid one): the bot gets
        the pre-checkout query and has the sandbox's time limit to answer. The result says
        whether the user was charged, the bot's refusal, or that it did not answer in time."""
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
            self.id, message_id, chat_id=chat_id, order_info=order_info
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

    # -- waiting -----------------------------------------------------------------------------

    def _chat(self, chat_id: int | None) -> Conversation:
        return self.chat if chat_id is None else self.sandbox.conversation(chat_id)

    async def _answered(
        self,
        query: CallbackQuery,
        timeout: float | None,  # noqa: ASYNC109
        what: str,
    ) -> None:
        await self._wait(
            lambda: query.answered,
            timeout,
            f"the bot to answer callback query {query.id} (data {query.data!r}) after {what}"
            f" from user {self.id}",
            query.chat_id,
        )

    async def _activity_after(
        self,
        chat: Conversation,
        mark: int,
        timeout: float | None,  # noqa: ASYNC109
        what: str,
        message_id: int | None = None,
    ) -> Message:
        """The first bot message touched after ``mark`` (``message_id`` only, if given)."""

        def touched() -> Message | None:
            ids = chat.bot_activity[mark:]
            if message_id is not None:
                ids = [i for i in ids if i == message_id]
            return chat.messages[ids[0]] if ids else None

        return await self._wait(touched, timeout, f"{what} from user {self.id}", chat.id)


class FakeGroup(_ChatWatcher):
    """A group with the bot and some fake users; members act in it with ``chat_id=group.id``.

    >>> staff = FakeGroup.create(sandbox, "Operators", [alice, bob])
    >>> await alice.send("/orders", chat_id=staff.id)
    >>> await bob.press("Mark paid", chat_id=staff.id)
    >>> await staff.wait_for(lambda m: "paid" in (m.text or ""))
    """

    def __init__(self, sandbox: Sandbox, group: Group, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.sandbox = sandbox
        self.group = group
        self.timeout = timeout

    @classmethod
    def create(
        cls,
        sandbox: Sandbox,
        title: str,
        members: list[FakeUser],
        *,
        type: str = "group",
        chat_id: int | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> "FakeGroup":
        group = sandbox.add_group(title, [m.id for m in members], chat_id=chat_id, type=type)
        return cls(sandbox, group, timeout)

    @property
    def id(self) -> int:
        return self.group.group_id

    @property
    def chat(self) -> Group:
        return self.group
