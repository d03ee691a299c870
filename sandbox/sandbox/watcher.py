"""Reading one chat of the sandbox and waiting for the bot in it, without sleeping: what
:class:`~sandbox.driver.FakeUser` and :class:`~sandbox.driver.FakeGroup` share.

Every wait re-checks the sandbox after each change it reports and fails with
:class:`~sandbox.errors.WaitTimeout` (an ``AssertionError``) showing the whole chat.
"""

from collections.abc import Callable
from typing import TypeVar

from sandbox.models import Conversation, Message
from sandbox.state import Sandbox

T = TypeVar("T")


class ChatWatcher:
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
