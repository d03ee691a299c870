"""What the sandbox remembers: users, their chats with the bot (private chats and groups),
messages and callback queries."""

import time
from dataclasses import dataclass, field
from typing import Any

from sandbox.files import StoredFile
from sandbox.markup import Button, inline_buttons


@dataclass
class User:
    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = "en"
    is_bot: bool = False
    phone_number: str | None = None
    """What sharing the own contact sends (Telegram's apps often leave out the ``+``)."""

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

    def contact_api(self) -> dict[str, Any]:
        """The user's own contact, as sharing it with a ``request_contact`` button sends it."""
        contact: dict[str, Any] = {
            "phone_number": self.phone_number or "",
            "first_name": self.first_name,
        }
        if self.last_name is not None:
            contact["last_name"] = self.last_name
        contact["user_id"] = self.id
        return contact


@dataclass
class Revision:
    """A message's content before one of its edits."""

    text: str | None
    entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None
    date: int
    photo: str | None = None


@dataclass
class Invoice:
    """What sendInvoice asked for; ``to_api`` is the ``Invoice`` the message shows."""

    title: str
    description: str
    payload: str
    currency: str
    prices: list[dict[str, Any]]
    provider_token: str = ""
    start_parameter: str = ""
    max_tip_amount: int = 0
    suggested_tip_amounts: list[int] = field(default_factory=list)
    needs: frozenset[str] = frozenset()
    """Which of "name", "phone_number", "email", "shipping_address" the form asks for."""
    paid: bool = False
    """Telegram shows a Receipt instead of the Pay button once the invoice was paid."""

    @property
    def total_amount(self) -> int:
        return sum(int(price["amount"]) for price in self.prices)

    def to_api(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "description": self.description,
            "start_parameter": self.start_parameter,
            "currency": self.currency,
            "total_amount": self.total_amount,
        }


@dataclass
class Message:
    """A message in a chat, from a user or from the bot.

    ``text`` is the plain text Telegram shows (markup parsed away, ``entities`` beside it);
    ``source`` is what the bot sent before parsing. A photo keeps ``photo`` (a file id, URL or
    ``upload:<filename>``, the stored file in ``file``) and ``caption`` instead of ``text``.
    An invoice message keeps its :class:`Invoice`; a user's message may hold a ``contact``;
    the service message of a payment holds ``successful_payment`` (or ``refunded_payment``),
    any other service message its Bot API fields in ``service`` (``new_chat_members``,
    ``left_chat_member``, ``pinned_message``...).
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
    document: str | None = None
    """A document's file id, URL or ``upload:<filename>`` (its stored file in ``file``)."""
    file: StoredFile | None = field(default=None, repr=False)
    caption: str | None = None
    sender_id: int | None = None
    """The user who wrote it (None for the bot's messages)."""
    invoice: Invoice | None = None
    contact: dict[str, Any] | None = None
    successful_payment: dict[str, Any] | None = None
    refunded_payment: dict[str, Any] | None = None
    service: dict[str, Any] = field(default_factory=dict)
    edit_date: int | None = None
    history: list[Revision] = field(default_factory=list)
    deleted: bool = False

    @property
    def is_service(self) -> bool:
        """A service message (a payment, a refund, a member joining...), rather than
        something someone wrote."""
        return (
            self.successful_payment is not None
            or self.refunded_payment is not None
            or bool(self.service)
        )

    @property
    def upload(self) -> bytes | None:
        """The bytes of the photo, when the sandbox has them (it was uploaded)."""
        return None if self.file is None else self.file.data

    @property
    def buttons(self) -> list[list[Button]]:
        """The inline keyboard, as rows of buttons."""
        return inline_buttons(self.reply_markup)

    def button(self, text: str) -> Button | None:
        return next((b for row in self.buttons for b in row if b.text == text), None)

    def to_api(self, sender: User, chat: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "from": sender.to_api(),
            "chat": chat,
            "date": self.date,
        }
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if self.file is not None:
            if self.document is not None:
                data["document"] = self.file.document_api()
            else:
                data["photo"] = [self.file.photo_size_api()]
            if self.caption is not None:
                data["caption"] = self.caption
                if self.entities:
                    data["caption_entities"] = self.entities
        elif self.text is not None:
            data["text"] = self.text
            if self.entities:
                data["entities"] = self.entities
        if self.invoice is not None:
            data["invoice"] = self.invoice.to_api()
        for name in ("contact", "successful_payment", "refunded_payment"):
            if (value := getattr(self, name)) is not None:
                data[name] = value
        data.update(self.service)
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            data["reply_markup"] = self.reply_markup
        return data

    def describe(self) -> str:
        """One line for failure messages and the terminal client."""
        who = "bot" if self.from_bot else f"user {self.sender_id}"
        line = f"#{self.message_id} {who}: {self._body()}"
        if self.buttons:
            line += " " + " ".join(str(b) for row in self.buttons for b in row)
        if self.history:
            line += f" (edited {len(self.history)}x)"
        if self.deleted:
            line += " (deleted)"
        return line

    def _body(self) -> str:
        if self.invoice is not None:
            invoice = self.invoice
            return f"<invoice {invoice.title!r} {invoice.total_amount} {invoice.currency}>"
        if self.successful_payment is not None:
            payment = self.successful_payment
            return (
                f"<paid {payment['total_amount']} {payment['currency']}"
                f" for {payment['invoice_payload']!r}>"
            )
        if self.refunded_payment is not None:
            return f"<refunded {self.refunded_payment['total_amount']} XTR>"
        if self.service:
            return f"<{' '.join(self.service)}>"
        if self.contact is not None:
            return f"<contact {self.contact['phone_number']} user {self.contact.get('user_id')}>"
        if self.photo is not None:
            return f"<photo {self.photo}> {self.caption or ''}"
        if self.document is not None:
            return f"<document {self.document}> {self.caption or ''}"
        return repr(self.text)


@dataclass(kw_only=True)
class Conversation:
    """What a private chat and a group share: the messages and what the bot did in them."""

    messages: dict[int, Message] = field(default_factory=dict)
    sent_count: int = 0
    """Successful sends by the bot (sendMessage, sendPhoto, sendInvoice) into this chat."""
    bot_activity: list[int] = field(default_factory=list)
    """Ids of the bot messages sent, edited or deleted, in the order it happened."""
    actions: list[str] = field(default_factory=list)
    """Chat actions (``typing``...) the bot sent."""
    reply_keyboard: list[list[str]] | None = None
    """The reply keyboard the users currently see, as rows of button texts."""
    reply_keyboard_markup: dict[str, Any] | None = None
    """The same keyboard as the bot sent it (``request_contact`` buttons and all)."""
    next_message_id: int = 1

    @property
    def id(self) -> int:
        raise NotImplementedError

    def new_message_id(self) -> int:
        self.next_message_id += 1
        return self.next_message_id - 1

    def api(self) -> dict[str, Any]:
        """The chat as a Bot API ``Chat`` object."""
        raise NotImplementedError

    def is_member(self, user_id: int) -> bool:
        raise NotImplementedError

    def request_button(self, text: str) -> dict[str, Any] | None:
        """The reply keyboard button labelled ``text``, if it is one with options."""
        rows = (self.reply_keyboard_markup or {}).get("keyboard", [])
        return next(
            (b for row in rows for b in row if isinstance(b, dict) and b.get("text") == text), None
        )


@dataclass
class Chat(Conversation):
    """The private chat between the bot and one user."""

    user: User
    blocked: bool = False

    @property
    def id(self) -> int:
        return self.user.id

    def api(self) -> dict[str, Any]:
        return self.user.chat_api()

    def is_member(self, user_id: int) -> bool:
        return user_id == self.user.id


@dataclass
class Group(Conversation):
    """A group (``type`` "group"), supergroup or channel, with its users.

    ``members`` maps user ids to their status: "creator", "administrator" or "member".
    """

    group_id: int
    title: str
    type: str = "group"
    members: dict[int, str] = field(default_factory=dict)
    bot_status: str = "member"
    """The bot's own status there: "member", "administrator", "restricted" (may not write),
    "left" or "kicked" (see :mod:`sandbox.membership`); in a channel an administrator."""
    bot_can_post: bool = True
    """In a channel: the bot's ``can_post_messages`` right."""

    @property
    def id(self) -> int:
        return self.group_id

    def api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.group_id, "title": self.title, "type": self.type}
        if self.type == "group":
            data["all_members_are_administrators"] = False
        return data

    def is_member(self, user_id: int) -> bool:
        return user_id in self.members


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
    chat_id: int | None = None
    """The chat of the pressed message (the presser's private chat when None)."""


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
