"""/paysupport: who helps with a payment (a charge, a refund, goods that did not arrive).

Telegram expects a bot that takes payments, Stars above all, to answer it: Telegram's own
support does not handle purchases made in bots. Every state, no account needed."""

from __future__ import annotations

from aiogram import Router, html
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.config import BotSettings


def support_text(contact: str | None) -> str:
    """The answer, naming ``contact`` (``PAYMENT_SUPPORT``) when the shop set one."""
    if contact is None:
        whom = _(
            "Write to the shop's staff about a charge, a refund or goods that did not arrive, "
            "and give your order number (/orders lists your orders)."
        )
    else:
        whom = _(
            "Write to {contact} about a charge, a refund or goods that did not arrive, and "
            "give your order number (/orders lists your orders)."
        ).format(contact=html.quote(contact))
    return "\n\n".join(
        (
            _("<b>Help with a payment</b>"),
            whom,
            _("An order cancelled after it was paid in Telegram Stars is refunded automatically."),
            _("Telegram's support cannot help with purchases made in this bot."),
        )
    )


async def pay_support(message: Message, settings: BotSettings) -> None:
    await message.answer(support_text(settings.payment_support))


def build_router() -> Router:
    router = Router(name="paysupport")
    router.message.register(pay_support, Command("paysupport"))
    return router
