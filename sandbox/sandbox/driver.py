"""A user a test plays: send text, press buttons, wait for the bot, all without sleeping.

Every wait re-checks the sandbox after each change it reports and fails with
:class:`~sandbox.errors.WaitTimeout` (an ``AssertionError``) showing the whole chat.
"""

from collections.abc import Callable
from typing import TypeVar

from sandbox.models import CallbackQuery, Chat, Message, User
from sandbox.state import Sandbox

T = TypeVar("T")
DEFAULT_TIMEOUT = 5.0


class FakeUser:
    """A Telegram user in a private chat with the bot.

    >>> alice = FakeUser.create(sandbox, first_name="Alice")
    >>> reply = await alice.send("/start")          # waits for the bot's answer
    >>> await alice.press("Add to cart")            # waits for answerCallbackQuery
    >>> await alice.wait_for(lambda m: "Cart" in m.text)
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
        language_code: str | None = "en",
        timeout: float = DEFAULT_TIMEOUT,
    ) -> "FakeUser":
        user = sandbox.add_user(user_id, first_name, username=username, language_code=language_code)
        return cls(sandbox, user, timeout)

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def chat(self) -> Chat:
        return self.sandbox.chat(self.id)

    @property
    def messages(self) -> list[Message]:
        """The chat's messages, both directions, without deleted ones."""
        return [m for m in self.chat.messages.values() if not m.deleted]

    @property
    def bot_messages(self) -> list[Message]:
        return [m for m in self.messages if m.from_bot]

    @property
    def last_message(self) -> Message | None:
        """The bot's latest message still in the chat, in its current (edited) state."""
        bot_messages = self.bot_messages
        return bot_messages[-1] if bot_messages else None

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """The reply keyboard the bot set for this user, as rows of button texts."""
        return self.chat.reply_keyboard

    def transcript(self) -> str:
        return self.sandbox.transcript(self.id)

    async def send(
        self,
        text: str,
        *,
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> Message | None:
        """Write ``text`` to the bot; unless ``wait`` is false, return the first bot message
        sent, edited or deleted in this chat after it."""
        mark = len(self.chat.bot_activity)
        self.sandbox.user_sends(self.id, text)
        if not wait:
            return None
        return await self._activity_after(mark, timeout, f"a reply to {text!r}")

    async def press(
        self,
        button_text: str,
        *,
        message_id: int | None = None,
        wait_edit: bool = False,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> CallbackQuery:
        """Press the inline button labelled ``button_text`` in ``message_id`` (default: the
        latest bot message with an inline keyboard) and wait until the bot answered the
        callback query; with ``wait_edit``, also until that message was edited or deleted."""
        mark = len(self.chat.bot_activity)
        query = self.sandbox.press(self.id, button_text, message_id)
        await self._answered(query, timeout, f"pressing {button_text!r}")
        if wait_edit:
            await self._activity_after(
                mark, timeout, f"message #{query.message_id} to change", query.message_id
            )
        return query

    async def send_callback(
        self,
        data: str,
        *,
        message_id: int | None = None,
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> CallbackQuery:
        """Send forged ``callback_data`` on a bot message (default: the latest), as a modified
        client could; unless ``wait`` is false, wait until the bot answered it."""
        query = self.sandbox.send_callback(self.id, data, message_id)
        if wait:
            await self._answered(query, timeout, f"forged callback data {data!r}")
        return query

    async def wait_for(
        self,
        predicate: Callable[[Message], bool],
        *,
        timeout: float | None = None,  # noqa: ASYNC109
        description: str = "a bot message matching the predicate",
    ) -> Message:
        """The newest bot message (in its current state) for which ``predicate`` holds,
        waiting until there is one."""

        def match() -> Message | None:
            return next((m for m in reversed(self.bot_messages) if predicate(m)), None)

        return await self._wait(match, timeout, description)

    async def _answered(
        self,
        query: CallbackQuery,
        timeout: float | None,  # noqa: ASYNC109
        what: str,
    ) -> None:
        await self._wait(
            lambda: query.answered,
            timeout,
            f"the bot to answer callback query {query.id} (data {query.data!r}) after {what}",
        )

    async def _activity_after(
        self,
        mark: int,
        timeout: float | None,  # noqa: ASYNC109
        what: str,
        message_id: int | None = None,
    ) -> Message:
        """The first bot message touched after ``mark`` (``message_id`` only, if given)."""

        def touched() -> Message | None:
            ids = self.chat.bot_activity[mark:]
            if message_id is not None:
                ids = [i for i in ids if i == message_id]
            return self.chat.messages[ids[0]] if ids else None

        return await self._wait(touched, timeout, what)

    async def _wait(
        self,
        predicate: Callable[[], T | None],
        timeout: float | None,  # noqa: ASYNC109
        what: str,
    ) -> T:
        return await self.sandbox.wait_until(
            predicate,
            self.timeout if timeout is None else timeout,
            lambda: f"{what} from user {self.id}; {self.transcript()}",
        )
