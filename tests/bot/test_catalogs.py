"""The translation catalogs cover the bot: every text the code marks has a translation in
every language, and no catalog lags behind the source (``python -m bot.catalogs``)."""

from __future__ import annotations

import ast

import pytest
from babel.messages.catalog import Catalog

from bot.catalogs import SOURCES, problems, read, template, translated_languages
from bot.i18n import po_path
from core.accounts.models import Language

MARKERS = {"_", "gettext", "ngettext", "N_"}


@pytest.mark.parametrize("language", translated_languages(), ids=str)
def test_every_message_id_has_a_translation_and_nothing_is_stale(language: Language) -> None:
    assert po_path(language).exists(), f"no catalog for {language.value}"
    assert problems(read(language), template()) == []


def test_every_marked_text_reaches_the_catalogs() -> None:
    """Babel's extractor misses some spellings (``_()`` inside an f-string, for one);
    each literal the code marks must be a message id all the same."""
    marked = set()
    for source in SOURCES.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in MARKERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                marked.add(node.args[0].value)
    extracted = {_first_id(message.id) for message in template()}
    assert marked - extracted == set()
    assert len(marked) > 100


def test_the_check_reports_each_kind_of_problem() -> None:
    source = Catalog()
    for text in ("Fine", "Missing", "Untranslated", "Fuzzy", "Hello, {name}"):
        source.add(text)
    catalog = Catalog(locale="ru")
    catalog.add("Fine", "Хорошо")
    catalog.add("Untranslated", "")
    catalog.add("Fuzzy", "Нечётко", flags=["fuzzy"])
    catalog.add("Hello, {name}", "Привет, {nmae}")
    catalog.add("Gone", "Пропало")

    assert problems(catalog, source) == [
        "missing: 'Missing'",
        "untranslated: 'Untranslated'",
        "untranslated: 'Fuzzy'",
        "unknown placeholders: 'Hello, {name}'",
        "no longer in the source: 'Gone'",
    ]


def _first_id(message_id: str | tuple[str, ...] | list[str]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]
