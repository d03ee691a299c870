"""Service messages (a member joining a group, a pinned message, a Stars refund...) are
events in a chat, not something said to the bot: they get no reply. Payments are taken
earlier (``payments.py`` records ``successful_payment``)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ContentType
from aiogram.types import Message

WRITTEN = frozenset(
    {
        ContentType.TEXT,
        ContentType.ANIMATION,
        ContentType.AUDIO,
        ContentType.DOCUMENT,
        ContentType.LIVE_PHOTO,
        ContentType.PAID_MEDIA,
        ContentType.PHOTO,
        ContentType.STICKER,
        ContentType.STORY,
        ContentType.VIDEO,
        ContentType.VIDEO_NOTE,
        ContentType.VOICE,
        ContentType.CHECKLIST,
        ContentType.CONTACT,
        ContentType.DICE,
        ContentType.GAME,
        ContentType.POLL,
        ContentType.VENUE,
        ContentType.LOCATION,
    }
)
"""What a person writes or sends; every other kind of message is a service message (or one
this aiogram does not know yet, which is left alone too)."""


async def leave_alone(message: Message) -> None:
    """Nothing to answer."""


def build_router() -> Router:
    router = Router(name="service")
    router.message.register(leave_alone, ~F.content_type.in_(WRITTEN))
    return router
