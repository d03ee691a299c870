"""Who is in the sandbox: the users, their private chats with the bot, and the groups.

:class:`Directory` is the part of :class:`~sandbox.state.Sandbox` that creates and finds them
and shows their messages the way the Bot API does.
"""

from typing import Any

from sandbox.errors import ApiError
from sandbox.membership import check_status
from sandbox.models import Chat, Conversation, Group, Message, User


class Directory:
    """Users, private chats (by user id) and groups (by negative chat id); a user created
    without an id gets the next one from ``first_user_id`` on."""

    def __init__(self, bot: User, first_user_id: int = 1001) -> None:
        self.bot = bot
        self.first_user_id = first_user_id
        self.chats: dict[int, Chat] = {}
        """The users' private chats with the bot, by user id."""
        self.groups: dict[int, Group] = {}
        """Groups with the bot in them, by (negative) chat id."""

    def notify(self) -> None:
        """Wake everything waiting for a change (the sandbox does)."""
        raise NotImplementedError

    def add_user(
        self,
        user_id: int | None = None,
        first_name: str | None = None,
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "en",
        phone_number: str | None = None,
    ) -> User:
        """Create a user and their private chat with the bot (or return the existing user).

        The phone number defaults to a made-up one without the ``+``, as Telegram's apps
        often share it, in a range that numbering plans allow (+1 202 555 xxxx), so a bot
        that validates numbers takes it; 555 area codes and drama ranges are refused.
        """
        if user_id is None:
            user_id = max([self.first_user_id - 1, *self.chats]) + 1
        if user_id in self.chats:
            return self.chats[user_id].user
        user = User(
            user_id,
            first_name or f"User{user_id}",
            username,
            last_name,
            language_code,
            phone_number=phone_number or f"1202555{user_id % 10_000:04d}",
        )
        self.chats[user_id] = Chat(user=user)
        self.notify()
        return user

    def update_user(self, user_id: int, **fields: Any) -> User:
        """Change a user's profile (``language_code``, ``first_name``, ``phone_number``...);
        later updates carry it."""
        user = self.user(user_id)
        for name, value in fields.items():
            if name in {"id", "is_bot"} or not hasattr(user, name):
                raise ValueError(f"a user has no settable field {name!r}")
            setattr(user, name, value)
        self.notify()
        return user

    def user(self, user_id: int) -> User:
        chat = self.chats.get(user_id)
        if chat is None:
            raise LookupError(f"no user {user_id}")
        return chat.user

    def add_group(
        self,
        title: str,
        members: list[int],
        *,
        chat_id: int | None = None,
        type: str = "group",
    ) -> Group:
        """A group (or ``type="supergroup"`` or ``"channel"``) with the bot and these users;
        the first one created it. Ids are negative, supergroups' and channels' start with -100
        as in Telegram. The bot is a member (a channel's administrator, allowed to post)."""
        if type not in ("group", "supergroup", "channel"):
            raise ValueError(f"not a group type: {type!r}")
        if chat_id is None:
            base = -4_000_000_000 if type == "group" else -1_000_000_000_000
            chat_id = min([base, *self.groups]) - 1
        if chat_id >= 0 or chat_id in self.groups:
            raise ValueError(f"chat id {chat_id} is taken or not negative")
        group = Group(group_id=chat_id, title=title, type=type)
        if type == "channel":
            group.bot_status = "administrator"
        for position, user_id in enumerate(members):
            self.user(user_id)
            group.members[user_id] = "creator" if position == 0 else "member"
        self.groups[chat_id] = group
        self.notify()
        return group

    def set_member(self, chat_id: int, user_id: int, status: str | None = "member") -> None:
        """Add a user to a group, change their status, or (``None``) remove them."""
        group = self.groups.get(chat_id)
        if group is None:
            raise LookupError(f"no group {chat_id}")
        self.user(user_id)
        if status is None:
            group.members.pop(user_id, None)
        elif status in ("creator", "administrator", "member"):
            group.members[user_id] = status
        else:
            raise ValueError(f"not a member status: {status!r}")
        self.notify()

    def set_bot_member(self, chat_id: int, status: str, *, can_post: bool = True) -> Group:
        """The bot's own status in a group or channel (``"left"``, ``"kicked"``,
        ``"restricted"``...), and in a channel whether it may post: a misconfigured chat."""
        group = self.groups.get(chat_id)
        if group is None:
            raise LookupError(f"no group {chat_id}")
        check_status(group, status)
        group.bot_status, group.bot_can_post = status, can_post
        self.notify()
        return group

    def conversation(self, chat_id: int) -> Conversation:
        """A private chat or a group; 400 "chat not found" for any other id."""
        found: Conversation | None = self.chats.get(chat_id) or self.groups.get(chat_id)
        if found is None:
            raise ApiError(400, "Bad Request: chat not found")
        return found

    def chat(self, chat_id: int) -> Chat:
        """The private chat with a user; 400 "chat not found" for anyone else."""
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def messages(self, chat_id: int) -> list[Message]:
        """Every message of the chat, both directions, deleted ones included."""
        return list(self.conversation(chat_id).messages.values())

    def sent_count(self, chat_id: int) -> int:
        """How many messages the bot successfully sent into the chat."""
        return self.conversation(chat_id).sent_count

    def block(self, user_id: int, blocked: bool = True) -> None:
        """Make the user block (or unblock) the bot: sends to them answer 403."""
        self.chat(user_id).blocked = blocked

    def sender(self, message: Message) -> User:
        if message.from_bot:
            return self.bot
        return self.user(message.chat_id if message.sender_id is None else message.sender_id)

    def message_api(self, message: Message) -> dict[str, Any]:
        return message.to_api(self.sender(message), self.conversation(message.chat_id).api())

    def transcript(self, chat_id: int) -> str:
        """The chat as readable lines, for failure messages."""
        lines = [m.describe() for m in self.messages(chat_id)] or ["(no messages)"]
        return f"chat {chat_id}:\n" + "\n".join(f"  {line}" for line in lines)
