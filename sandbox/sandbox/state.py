"""The sandbox's memory and the user's side of Telegram.

:class:`Sandbox` holds every user, chat, message, pending update and callback query, answers
the user-side actions tests perform (send text, press a button) by queueing real ``Update``
objects, and lets any coroutine wait for a change without sleeping.
"""

import asyncio
import itertools
import re
import time
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from typing import Any, TypeVar

from sandbox.directory import Directory
from sandbox.errors import ApiError, WaitTimeout
from sandbox.faults import Faults
from sandbox.files import FileStore
from sandbox.formatting import command_entities
from sandbox.models import ApiCall, CallbackQuery, Conversation, Message, User
from sandbox.payments import PRE_CHECKOUT_TIMEOUT, Payments
from sandbox.webhook import WebhookSender

T = TypeVar("T")

DEFAULT_TOKEN = "123456789:SANDBOX-token_for-offline-tests"  # noqa: S105 (fake)
_TOKEN = re.compile(r"^\d+:[\w-]+$")
_DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class Sandbox(Directory):
    """One bot's view of Telegram, for the token it was created with: its users, chats and
    groups (:class:`~sandbox.directory.Directory`), what they do, and the updates for the bot.

    Everything is kept in memory, for as long as the sandbox lives. Users created without an
    id get ids from ``first_user_id`` on (above the ones a bot's database already knows, say,
    so that a new user is never taken for an old one).

    ``pre_checkout_timeout`` is how long a payment waits for answerPreCheckoutQuery (Telegram's
    10 s; tests may shorten it). With ``group_privacy`` (Telegram's default for bots, see getMe's
    ``can_read_all_group_messages``) the bot gets only commands and mentions of itself from
    groups; button presses and payments always reach it.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_name: str = "Sandbox Bot",
        bot_username: str = "sandbox_bot",
        faults: Faults | None = None,
        pre_checkout_timeout: float = PRE_CHECKOUT_TIMEOUT,
        group_privacy: bool = True,
        first_user_id: int = 1001,
    ) -> None:
        if not _TOKEN.match(token):
            raise ValueError(f"not a bot token: {token!r}")
        super().__init__(
            User(
                int(token.split(":")[0]),
                bot_name,
                username=bot_username,
                is_bot=True,
                language_code=None,
            ),
            first_user_id,
        )
        self.token = token
        self.faults = faults or Faults()
        self.group_privacy = group_privacy
        self.callbacks: dict[str, CallbackQuery] = {}
        self.files = FileStore()
        self.payments = Payments(self, pre_checkout_timeout)
        self.updates: list[dict[str, Any]] = []
        """Updates not yet confirmed by getUpdates nor delivered to the webhook."""
        self.allowed_updates: list[str] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.calls: list[ApiCall] = []
        self.webhook = WebhookSender(self)
        self.closed = False
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self.polls = 0
        """getUpdates calls received so far."""
        self.handed_out: Counter[int] = Counter()
        """How often each update id was handed to the bot (in a getUpdates answer or a
        webhook request), confirmed or not."""
        self._changed = asyncio.Event()

    # -- the users' actions ----------------------------------------------------------------

    def user_sends(self, user_id: int, text: str, *, chat_id: int | None = None) -> Message:
        """The user writes ``text`` to the bot (or into a group): a ``message`` update.

        In a group with ``group_privacy`` the bot only gets commands and mentions of itself;
        from a group it left or was removed from, nothing.
        """
        message = self._user_message(user_id, chat_id, text=text, entities=command_entities(text))
        mention = f"@{self.bot.username}".lower()
        group = self.groups.get(message.chat_id)
        if group is not None and group.bot_status in ("left", "kicked"):
            return message
        if (
            message.chat_id > 0
            or not self.group_privacy
            or text.startswith("/")
            or mention in text.lower()
        ):
            self.push_update("message", self.message_api(message))
        return message

    def share_contact(self, user_id: int, button_text: str | None = None) -> Message:
        """The user presses a ``request_contact`` button of the reply keyboard (the one
        labelled ``button_text``, or the first): a message with their own ``contact``."""
        chat = self.chat(user_id)
        rows = (chat.reply_keyboard_markup or {}).get("keyboard", [])
        button = next(
            (
                b
                for row in rows
                for b in row
                if isinstance(b, dict)
                and b.get("request_contact")
                and button_text in (None, b.get("text"))
            ),
            None,
        )
        if button is None:
            raise LookupError(
                f"no request_contact button {button_text or ''} in the reply keyboard "
                f"{chat.reply_keyboard}; {self.transcript(user_id)}"
            )
        return self.send_contact(user_id, self.user(user_id).contact_api())

    def send_contact(
        self, user_id: int, contact: dict[str, Any], *, chat_id: int | None = None
    ) -> Message:
        """The user sends any contact (someone else's too, as the attachment menu allows):
        ``phone_number``, ``first_name``, optional ``last_name``, ``user_id``, ``vcard``."""
        if not contact.get("phone_number") or not contact.get("first_name"):
            raise ValueError("a contact needs a phone_number and a first_name")
        message = self._user_message(user_id, chat_id, contact=dict(contact))
        self.push_update("message", self.message_api(message))
        return message

    def service_message(self, sender_id: int | None, chat_id: int, **content: Any) -> Message:
        """A service message from a user, or from the bot when ``sender_id`` is None, with
        its Bot API fields as ``content`` (``successful_payment``, ``refunded_payment``,
        ``new_chat_members``, ``pinned_message``...), delivered to the bot as a ``message``
        update: Telegram delivers service messages (even the bot's own, such as a refund's)
        to a bot in privacy mode too."""
        chat = self.conversation(chat_id)
        payments = {
            name: content.pop(name)
            for name in ("successful_payment", "refunded_payment")
            if name in content
        }
        message = Message(
            chat.new_message_id(),
            chat.id,
            from_bot=sender_id is None,
            date=int(time.time()),
            sender_id=sender_id,
            service=content,
            **payments,
        )
        chat.messages[message.message_id] = message
        self.push_update("message", self.message_api(message))
        return message

    def set_member(self, chat_id: int, user_id: int, status: str | None = "member") -> None:
        """Add a user to a group, change their status, or (``None``) remove them; joining
        and leaving show in the group as service messages (``new_chat_members``,
        ``left_chat_member``), which the bot gets."""
        group = self.groups.get(chat_id)
        was_member = group is not None and user_id in group.members
        super().set_member(chat_id, user_id, status)
        user = self.user(user_id).to_api()
        if status is not None and not was_member:
            self.service_message(user_id, chat_id, new_chat_members=[user])
        elif status is None and was_member:
            self.service_message(user_id, chat_id, left_chat_member=user)

    def redeliver(self, chat_id: int, message_id: int) -> int:
        """Deliver a user's message again, as Telegram repeats an update the bot did not
        confirm; the new update's id."""
        message = self.conversation(chat_id).messages.get(message_id)
        if message is None or message.from_bot:
            raise LookupError(f"no user message #{message_id} in {self.transcript(chat_id)}")
        return self.push_update("message", self.message_api(message))

    def press(
        self,
        user_id: int,
        button_text: str,
        message_id: int | None = None,
        *,
        chat_id: int | None = None,
    ) -> CallbackQuery:
        """The user presses an inline button, found by its text in ``message_id`` or else in the
        latest bot message that has an inline keyboard (of their private chat, or ``chat_id``)."""
        chat = self._chat_of(user_id, chat_id)
        if message_id is None:
            keyboards = [m for m in chat.messages.values() if m.from_bot and m.buttons]
            if not keyboards or keyboards[-1].deleted:
                raise LookupError(
                    f"no bot message with an inline keyboard in {self.transcript(chat.id)}"
                )
            message = keyboards[-1]
        else:
            message = self._bot_message(chat, message_id)
        button = message.button(button_text)
        if button is None:
            raise LookupError(f"no button {button_text!r} in {message.describe()}")
        if button.callback_data is None:
            raise LookupError(f"button {button_text!r} has no callback_data: {message.describe()}")
        return self.send_callback(
            user_id, button.callback_data, message.message_id, chat_id=chat_id
        )

    def send_callback(
        self,
        user_id: int,
        data: str,
        message_id: int | None = None,
        *,
        chat_id: int | None = None,
    ) -> CallbackQuery:
        """A ``callback_query`` with arbitrary ``data`` on a bot message (the latest one by
        default), as a forged client could send: for security tests."""
        chat = self._chat_of(user_id, chat_id)
        if message_id is None:
            bot_messages = [m for m in chat.messages.values() if m.from_bot and not m.deleted]
            if not bot_messages:
                raise LookupError(f"no bot message to press on in {self.transcript(chat.id)}")
            message_id = bot_messages[-1].message_id
        message = self._bot_message(chat, message_id)
        query = CallbackQuery(
            str(4_200_000_000 + next(self._callback_ids)),
            user_id,
            message_id,
            data,
            chat_id=chat_id,
        )
        self.callbacks[query.id] = query
        self.push_update(
            "callback_query",
            {
                "id": query.id,
                "from": self.user(user_id).to_api(),
                "message": self.message_api(message),
                "chat_instance": str(abs(chat.id) * 7 + self.bot.id),
                "data": data,
            },
        )
        return query

    def _chat_of(self, user_id: int, chat_id: int | None) -> Conversation:
        """The user's private chat, or the group ``chat_id`` they are a member of."""
        chat = self.conversation(user_id if chat_id is None else chat_id)
        if not chat.is_member(user_id):
            raise LookupError(f"user {user_id} is not a member of chat {chat.id}")
        return chat

    def _user_message(self, user_id: int, chat_id: int | None, **content: Any) -> Message:
        chat = self._chat_of(user_id, chat_id)
        message = Message(
            chat.new_message_id(),
            chat.id,
            from_bot=False,
            date=int(time.time()),
            sender_id=user_id,
            **content,
        )
        chat.messages[message.message_id] = message
        return message

    def _bot_message(self, chat: Conversation, message_id: int) -> Message:
        message = chat.messages.get(message_id)
        if message is None or not message.from_bot or message.deleted:
            raise LookupError(f"no bot message #{message_id} in {self.transcript(chat.id)}")
        return message

    # -- updates ---------------------------------------------------------------------------

    def push_update(self, kind: str, payload: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self.updates.append({"update_id": update_id, kind: payload})
        self.notify()
        return update_id

    def confirm_updates(self, offset: int | None) -> None:
        """getUpdates' ``offset``: forget updates below it (or all but the last -offset)."""
        if offset is None or offset == 0:
            return
        if offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        else:
            self.updates = self.updates[offset:]

    def is_allowed(self, update: dict[str, Any]) -> bool:
        kind = next(key for key in update if key != "update_id")
        return (
            kind in self.allowed_updates if self.allowed_updates else kind not in _DEFAULT_EXCLUDED
        )

    async def get_updates(
        self, offset: int | None, limit: int, poll_seconds: float, allowed: list[str] | None
    ) -> list[dict[str, Any]]:
        """Long polling as Telegram does it; a newer call ends an older one with 409."""
        if self.webhook.url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        if allowed is not None:
            self.allowed_updates = allowed
        self.confirm_updates(offset)
        self.polls += 1
        generation = self.polls
        self.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + poll_seconds
        while True:
            if generation != self.polls:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self.closed or self.webhook.url:
                return []
            self.updates = [u for u in self.updates if self.is_allowed(u)]
            if self.updates:
                batch = self.updates[:limit]
                self.handed_out.update(u["update_id"] for u in batch)
                self.notify()
                return batch
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            await self.changed(remaining)

    # -- waiting ---------------------------------------------------------------------------

    def notify(self) -> None:
        """Wake everything waiting for a change."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(
        self,
        predicate: Callable[[], T | None],
        timeout: float,  # noqa: ASYNC109 (fails with a readable message, unlike a bare timeout)
        describe: Callable[[], str],
    ) -> T:
        """Re-check ``predicate`` after every change until it returns something truthy.

        Raises :class:`WaitTimeout` with ``describe()`` once ``timeout`` seconds have passed.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (result := predicate()):
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise WaitTimeout(f"timed out after {timeout}s waiting for {describe()}")
            await self.changed(remaining)
        return result

    async def changed(self, within: float | None = None) -> None:
        """Return after the next change, or after ``within`` seconds."""
        with suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), within)

    async def close(self) -> None:
        """Stop webhook delivery and release every long poll."""
        self.closed = True
        await self.webhook.stop()
        self.notify()
