"""What the sandbox remembers: users, their private chats, messages and callback queries."""

import time
from dataclasses import dataclass, field
from typing import Any

from sandbox.markup import Button, inline_buttons


@dataclass
class User:
    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = "en"
    is_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for name in ("last_name", "username", "language_code"):
            if (value := getattr(self, name)) is not None:
                data[name] = value
        return data

    def chat_api(self) -> dict[str, Any]:
        """The private chat with this user, as a Bot API ``Chat``."""
        data: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        for name in ("last_name", "username"):
            if (value := getattr(self, name)) is not None:
                data[name] = value
        return data


@dataclass
class Revision:
    """A message's content before one of its edits."""

    text: str | None
    entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None
    date: int


@dataclass
class Message:
    """A message in a private chat, from the user or from the bot.

    ``text`` is the plain text Telegram shows (markup parsed away, ``entities`` beside it);
    ``source`` is what the bot sent before parsing. A photo keeps ``photo`` (a file id, URL or
    ``upload:<filename>``, its bytes in ``upload``) and ``caption`` instead of ``text``.
    """

    message_id: int
    chat_id: int
    from_bot: bool
    date: int
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    source: str | None = None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    photo: str | None = None
    upload: bytes | None = field(default=None, repr=False)
    caption: str | None = None
    edit_date: int | None = None
    history: list[Revision] = field(default_factory=list)
    deleted: bool = False

    @property
    def buttons(self) -> list[list[Button]]:
        """The inline keyboard, as rows of buttons."""
        return inline_buttons(self.reply_markup)

    def button(self, text: str) -> Button | None:
        return next((b for row in self.buttons for b in row if b.text == text), None)

    def to_api(self, sender: User, chat: User) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "from": sender.to_api(),
            "chat": chat.chat_api(),
            "date": self.date,
        }
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if self.photo is not None:
            file_id = self.photo if self.photo.startswith("AgAC") else f"AgAC-{self.message_id}"
            data["photo"] = [
                {
                    "file_id": file_id,
                    "file_unique_id": file_id[-16:],
                    "width": 320,
                    "height": 320,
                }
            ]
            if self.caption is not None:
                data["caption"] = self.caption
                if self.entities:
                    data["caption_entities"] = self.entities
        else:
            data["text"] = self.text
            if self.entities:
                data["entities"] = self.entities
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            data["reply_markup"] = self.reply_markup
        return data

    def describe(self) -> str:
        """One line for failure messages and the terminal client."""
        who = "bot" if self.from_bot else "user"
        body = self.text if self.photo is None else f"<photo {self.photo}> {self.caption or ''}"
        line = f"#{self.message_id} {who}: {body!r}"
        if self.buttons:
            line += " " + " ".join(str(b) for row in self.buttons for b in row)
        if self.history:
            line += f" (edited {len(self.history)}x)"
        if self.deleted:
            line += " (deleted)"
        return line


@dataclass
class Chat:
    """The private chat between the bot and one user."""

    user: User
    messages: dict[int, Message] = field(default_factory=dict)
    blocked: bool = False
    sent_count: int = 0
    """Successful sends by the bot (sendMessage, sendPhoto) into this chat."""
    bot_activity: list[int] = field(default_factory=list)
    """Ids of the bot messages sent, edited or deleted, in the order it happened."""
    actions: list[str] = field(default_factory=list)
    """Chat actions (``typing``...) the bot sent."""
    reply_keyboard: list[list[str]] | None = None
    """The reply keyboard the user currently sees."""
    next_message_id: int = 1

    @property
    def id(self) -> int:
        return self.user.id

    def new_message_id(self) -> int:
        self.next_message_id += 1
        return self.next_message_id - 1


@dataclass
class CallbackQuery:
    """A button press and, once the bot called answerCallbackQuery, its answer."""

    id: str
    user_id: int
    message_id: int
    data: str
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None


@dataclass
class ApiCall:
    """One Bot API request the bot made, for assertions about how it called Telegram."""

    method: str
    params: dict[str, Any]
    content_type: str
    status: int
    description: str | None = None
    at: float = field(default_factory=time.monotonic)
    """When the sandbox answered (``time.monotonic``), to check pacing and retry_after."""
