"""The bot's languages: gettext catalogs (``bot/locales/<language>.po``) compiled with Babel
when the process starts, and the language of each update.

English is the source language (the message ids), so it needs no catalog. Each other
language of ``core.models.Language`` has a ``.po`` file; ``python -m bot.catalogs`` keeps
them in step with the source (see ``bot/catalogs.py``).
"""

from __future__ import annotations

import gettext
from io import BytesIO
from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject
from aiogram.types import User as TelegramUser
from aiogram.utils.i18n import I18n, I18nMiddleware
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from core.accounts.models import Language, User

LOCALES = Path(__file__).resolve().parent / "locales"
DOMAIN = "messages"
SOURCE_LANGUAGE = Language.EN


def po_path(language: Language) -> Path:
    return LOCALES / f"{language.value}.po"


def load_catalogs(default: Language) -> I18n:
    """aiogram's ``I18n`` with every language's ``.po`` file compiled in memory (a few
    milliseconds), so there is no build step and no ``.mo`` file to go stale. (``I18n``
    itself would look for ``<language>/LC_MESSAGES/messages.mo`` and finds none here.)"""
    i18n = I18n(path=LOCALES, default_locale=default.value, domain=DOMAIN)
    i18n.locales = {
        language.value: _compile(po_path(language))
        for language in Language
        if language is not SOURCE_LANGUAGE
    }
    return i18n


def _compile(po_file: Path) -> gettext.GNUTranslations:
    with po_file.open("rb") as source:
        catalog = read_po(source, locale=po_file.stem, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def language_of(customer: User | None, sender: TelegramUser | None) -> Language | None:
    """The customer's chosen language, else their Telegram app's if the shop speaks it."""
    if customer is not None and customer.language is not None:
        return customer.language
    return Language.of(sender.language_code) if sender is not None else None


class CustomerLanguage(I18nMiddleware):
    """Outer middleware after ``CustomerLookup``: handlers speak the customer's language."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        language = language_of(data.get("customer"), data.get("event_from_user"))
        return language.value if language is not None else self.i18n.default_locale
