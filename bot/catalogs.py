"""Keeping the translation catalogs in step with the bot's source, with Babel.

``python -m bot.catalogs`` extracts every message id the bot's code marks (``_()``,
``ngettext()``, ``N_()``) and updates each language's ``.po`` file: new ids are added
untranslated, ids no longer in the source are dropped. Then translate the empty
``msgstr`` entries. ``python -m bot.catalogs --check`` changes nothing and lists what is
missing; the test suite runs the same check.
"""

from __future__ import annotations

import argparse
import string
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN, SOURCE_LANGUAGE, po_path
from core.accounts.models import Language

SOURCES = Path(__file__).resolve().parent
PROJECT = SOURCES.parent
WIDTH = 100


def template() -> Catalog:
    """Every message id in the bot's source, as Babel extracts it."""
    catalog = Catalog(domain=DOMAIN, project="telegram-shop", charset="utf-8")
    for path, line, message, comments, context in extract_from_dir(
        SOURCES, keywords=DEFAULT_KEYWORDS, comment_tags=("Translators:",)
    ):
        location = (str((SOURCES / path).relative_to(PROJECT)), line)
        catalog.add(message, locations=[location], auto_comments=comments, context=context)
    return catalog


def translated_languages() -> list[Language]:
    return [language for language in Language if language is not SOURCE_LANGUAGE]


def read(language: Language) -> Catalog:
    path = po_path(language)
    if not path.exists():
        return Catalog(locale=language.value, domain=DOMAIN)
    with path.open("rb") as source:
        return read_po(source, locale=language.value, domain=DOMAIN)


def update(language: Language, source: Catalog) -> None:
    """Bring ``language``'s ``.po`` file in step with ``source``."""
    catalog = read(language)
    catalog.update(source, no_fuzzy_matching=True, update_creation_date=False)
    path = po_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = BytesIO()
    write_po(written, catalog, width=WIDTH, ignore_obsolete=True, include_lineno=False)
    path.write_bytes(written.getvalue())


def problems(catalog: Catalog, source: Catalog) -> list[str]:
    """What keeps ``catalog`` from covering ``source``: ids missing, untranslated or fuzzy,
    ids the source no longer has, and translations with a ``{placeholder}`` the source does
    not fill (formatting them would fail)."""
    found = []
    for message in source:
        if not message.id:
            continue
        entry = catalog.get(message.id, message.context)
        if entry is None:
            found.append(f"missing: {_first(message)!r}")
        elif entry.fuzzy or not all(_forms(entry)):
            found.append(f"untranslated: {_first(message)!r}")
        elif any(_placeholders(form) - _placeholders(*_ids(message)) for form in _forms(entry)):
            found.append(f"unknown placeholders: {_first(message)!r}")
    found += [
        f"no longer in the source: {_first(entry)!r}"
        for entry in catalog
        if entry.id and source.get(entry.id, entry.context) is None
    ]
    return found


def _ids(message: Message) -> list[str]:
    return [message.id] if isinstance(message.id, str) else list(message.id)


def _first(message: Message) -> str:
    return _ids(message)[0]


def _forms(message: Message) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string or ())


def _placeholders(*texts: str) -> set[str]:
    formatter = string.Formatter()
    return {field for text in texts for _, field, _, _ in formatter.parse(text) if field}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.catalogs", description=__doc__)
    parser.add_argument("--check", action="store_true", help="change nothing; list problems")
    check = parser.parse_args().check
    source = template()
    failed = False
    for language in translated_languages():
        if not check:
            update(language, source)
        for problem in problems(read(language), source):
            print(f"{po_path(language).relative_to(PROJECT)}: {problem}")
            failed = True
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
