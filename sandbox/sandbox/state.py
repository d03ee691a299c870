"""The sandbox's memory and the user's side of Telegram.

:class:`Sandbox` holds every user, chat, message, pending update and callback query, answers
the user-side actions tests perform (send text, press a button) by queueing real ``Update``
objects, and lets any coroutine wait for a change without sleeping.
"""

import asyncio
import itertools
import re
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any, TypeVar

from sandbox.errors import ApiError, WaitTimeout
from sandbox.faults import Faults
from sandbox.formatting import command_entities
from sandbox.models import ApiCall, CallbackQuery, Chat, Message, User
from sandbox.webhook import WebhookSender

T = TypeVar("T")

DEFAULT_TOKEN = "123456789:SANDBOX-token_for-offline-tests"  # noqa: S105 (fake)
_TOKEN = re.compile(r"^\d+:[\w-]+$")
_DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class Sandbox:
    """One bot's view of Telegram, for the token it was created with."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_name: str = "Sandbox Bot",
        bot_username: str = "sandbox_bot",
        faults: Faults | None = None,
    ) -> None:
        if not _TOKEN.match(token):
            raise ValueError(f"not a bot token: {token!r}")
        self.token = token
        self.bot = User(
            int(token.split(":")[0]),
            bot_name,
            username=bot_username,
            is_bot=True,
            language_code=None,
        )
        self.faults = faults or Faults()
        self.chats: dict[int, Chat] = {}
        self.callbacks: dict[str, CallbackQuery] = {}
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
        self._changed = asyncio.Event()

    # -- users and chats -------------------------------------------------------------------

    def add_user(
        self,
        user_id: int | None = None,
        first_name: str | None = None,
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "en",
    ) -> User:
        """Create a user and their private chat with the bot (or return the existing user)."""
        if user_id is None:
            user_id = max([1000, *self.chats]) + 1
        if user_id in self.chats:
            return self.chats[user_id].user
        user = User(user_id, first_name or f"User{user_id}", username, last_name, language_code)
        self.chats[user_id] = Chat(user)
        self.notify()
        return user

    def chat(self, chat_id: int) -> Chat:
        """The private chat with a user; 400 "chat not found" for anyone else."""
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def messages(self, chat_id: int) -> list[Message]:
        """Every message of the chat, both directions, deleted ones included."""
        return list(self.chat(chat_id).messages.values())

    def sent_count(self, chat_id: int) -> int:
        """How many messages the bot successfully sent into the chat."""
        return self.chat(chat_id).sent_count

    def block(self, user_id: int, blocked: bool = True) -> None:
        """Make the user block (or unblock) the bot: sends to them answer 403."""
        self.chat(user_id).blocked = blocked

    def sender(self, message: Message) -> User:
        return self.bot if message.from_bot else self.chat(message.chat_id).user

    def message_api(self, message: Message) -> dict[str, Any]:
        return message.to_api(self.sender(message), self.chat(message.chat_id).user)

    def transcript(self, chat_id: int) -> str:
        """The chat as readable lines, for failure messages."""
        lines = [m.describe() for m in self.messages(chat_id)] or ["(no messages)"]
        return f"chat {chat_id}:\n" + "\n".join(f"  {line}" for line in lines)

    # -- the user's actions ----------------------------------------------------------------

    def user_sends(self, user_id: int, text: str) -> Message:
        """The user writes ``text`` to the bot: a ``message`` update."""
        chat = self.chat(user_id)
        message = Message(
            chat.new_message_id(),
            chat.id,
            from_bot=False,
            date=int(time.time()),
            text=text,
            entities=command_entities(text),
        )
        chat.messages[message.message_id] = message
        self.push_update("message", self.message_api(message))
        return message

    def press(self, user_id: int, button_text: str, message_id: int | None = None) -> CallbackQuery:
        """The user presses an inline button, found by its text in ``message_id`` or else in the
        latest bot message that has an inline keyboard."""
        chat = self.chat(user_id)
        if message_id is None:
            keyboards = [m for m in chat.messages.values() if m.from_bot and m.buttons]
            if not keyboards or keyboards[-1].deleted:
                raise LookupError(
                    f"no bot message with an inline keyboard in {self.transcript(user_id)}"
                )
            message = keyboards[-1]
        else:
            message = self._bot_message(chat, message_id)
        button = message.button(button_text)
        if button is None:
            raise LookupError(f"no button {button_text!r} in {message.describe()}")
        if button.callback_data is None:
            raise LookupError(f"button {button_text!r} has no callback_data: {message.describe()}")
        return self.send_callback(user_id, button.callback_data, message.message_id)

    def send_callback(
        self, user_id: int, data: str, message_id: int | None = None
    ) -> CallbackQuery:
        """A ``callback_query`` with arbitrary ``data`` on a bot message (the latest one by
        default), as a forged client could send: for security tests."""
        chat = self.chat(user_id)
        if message_id is None:
            bot_messages = [m for m in chat.messages.values() if m.from_bot and not m.deleted]
            if not bot_messages:
                raise LookupError(f"no bot message to press on in {self.transcript(user_id)}")
            message_id = bot_messages[-1].message_id
        message = self._bot_message(chat, message_id)
        query = CallbackQuery(
            str(4_200_000_000 + next(self._callback_ids)), user_id, message_id, data
        )
        self.callbacks[query.id] = query
        self.push_update(
            "callback_query",
            {
                "id": query.id,
                "from": chat.user.to_api(),
                "message": self.message_api(message),
                "chat_instance": str(chat.id * 7 + self.bot.id),
                "data": data,
            },
        )
        return query

    def _bot_message(self, chat: Chat, message_id: int) -> Message:
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
                return self.updates[:limit]
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
