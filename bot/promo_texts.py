"""What the bot says about promo codes (the discount lines are in ``bot/texts.py``)."""

from __future__ import annotations

from aiogram import html
from aiogram.utils.i18n import gettext as _


def ask_code() -> str:
    return _("Send your promo code (letters and digits), or /cancel.")


def code_added(code: str) -> str:
    return _("Promo code {code} added.").format(code=html.quote(code))


def promo_button() -> str:
    return _("🏷 Promo code")


def remove_button(code: str) -> str:
    return _("✖ Remove {code}").format(code=code)


def order_without() -> str:
    return _("Order without the code")
