"""The users and groups a test plays: send text, press buttons, share contacts, pay invoices
(:mod:`sandbox.paying`), wait for the bot (:mod:`sandbox.watcher`), all without sleeping."""

from collections.abc import Callable
from typing import Any

from sandbox.models import CallbackQuery, Chat, Conversation, Group, Message, User
from sandbox.paying import PayingUser
from sandbox.state import Sandbox
from sandbox.watcher import ChatWatcher

DEFAULT_TIMEOUT = 15.0  # a wait on a condition: only a failing test waits it out


class FakeUser(PayingUser):
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


class FakeGroup(ChatWatcher):
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
