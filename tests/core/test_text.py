"""Display text: what names, descriptions and broadcasts may hold, and the pattern that says so."""

from __future__ import annotations

import re
from typing import Any

import pytest

from core.accounts.commands import Registration
from core.base.commands import parse
from core.base.errors import InvalidInput
from core.base.text import JOINERS, clean, named_characters, pattern
from core.catalog.commands import ProductDraft
from core.messaging.commands import BroadcastDraft
from core.shop import Shop
from tests.settings import ADDRESS

HIDDEN = {
    "right-to-left override": "\u202e",
    "left-to-right isolate": "\u2066",
    "zero-width space": "\u200b",
    "byte order mark": "\ufeff",
    "NUL": "\x00",
    "escape": "\x1b",
    "tab": "\t",
    "line separator": "\u2028",
    "language tag": "\U000e0001",
}


@pytest.mark.parametrize("char", HIDDEN.values(), ids=HIDDEN.keys())
def test_control_and_format_characters_are_refused_anywhere(char: str) -> None:
    for text in (f"{char}Eve", f"E{char}ve", f"Eve{char}"):
        for multiline in (False, True):
            with pytest.raises(ValueError, match="control or invisible formatting"):
                clean(text, multiline=multiline)


def test_spaces_are_trimmed_and_kept_inside() -> None:
    assert clean("  Ada\u00a0Lovelace \u3000") == "Ada\u00a0Lovelace"
    assert clean("   ") == ""
    with pytest.raises(ValueError, match="blank"):
        clean(" \u2003 ", required=True)


def test_line_feeds_only_in_multiline_text() -> None:
    assert clean("\nDear customers,\n\nwe are open.\n \n", multiline=True) == (
        "Dear customers,\n\nwe are open."
    )
    with pytest.raises(ValueError, match="line breaks"):
        clean("two\nlines")
    with pytest.raises(ValueError, match="control"):
        clean("windows\r\nline", multiline=True)


def test_joiners_stay_between_visible_characters() -> None:
    assert (
        clean("\u0645\u06cc\u200c\u062e\u0648\u0627\u0645")
        == "\u0645\u06cc\u200c\u062e\u0648\u0627\u0645"
    )
    assert clean("👩\u200d🍳 kit") == "👩\u200d🍳 kit"
    for text in ("\u200dEve", "Eve\u200c", "Eve\u200d "):
        with pytest.raises(ValueError, match="joiner"):
            clean(text)


@pytest.mark.parametrize("multiline", [False, True])
@pytest.mark.parametrize("required", [False, True])
def test_the_published_pattern_agrees_with_the_check(multiline: bool, required: bool) -> None:
    """Every character the rules name, alone, at either end and inside, plus ordinary text."""
    matches = re.compile(pattern(multiline=multiline, required=required)).fullmatch
    samples = ["", "Eve", "Ada Lovelace", "a\nb", " \n ", *(f"x{j}y" for j in JOINERS)]
    for char in named_characters():
        samples += [char, f"{char}Eve", f"E{char}ve", f"Eve{char}", f"{char}{char}"]
    for text in samples:
        try:
            clean(text, multiline=multiline, required=required)
            accepted = True
        except ValueError:
            accepted = False
        assert accepted == bool(matches(text)), repr(text)


@pytest.mark.parametrize(
    ("command", "body"),
    [
        (
            Registration,
            {"name": "Eve\u202e", "email": "eve@example.com", "password": "long enough"},
        ),
        (ProductDraft, {"name": "Tea\u200b", "price": 1}),
        (ProductDraft, {"name": "Tea", "description": "Green\x00", "price": 1}),
        (BroadcastDraft, {"text": "Sale!\u202e", "segment": {"kind": "all"}}),
    ],
)
def test_commands_refuse_hidden_characters(command: Any, body: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse(command, body)
    assert "invisible formatting" in refused.value.errors[0].message


async def test_a_refused_name_writes_nothing(shop: Shop) -> None:
    body = {"name": "Mallory\u202e", "email": "m@example.com", "password": "long enough"}
    with pytest.raises(InvalidInput):
        await shop.users.register(parse(Registration, body), address=ADDRESS)
    assert await shop.store.users.count_documents({}) == 0
    draft = parse(BroadcastDraft, {"text": " Open\ntoday ", "segment": {"kind": "all"}})
    assert draft.text == "Open\ntoday"


UNMEANT = {
    "Hangul filler alone": "\u3164",
    "halfwidth Hangul filler alone": "\uffa0",
    "Hangul filler inside": "Kim\u3164Lee",
    "combining marks alone": "\u0301\u0308\u0327",
    "combining mark first": "\u0301Eve",
    "noncharacter U+FFFF": "\uffff",
    "noncharacter inside": "Ev\ufdd0e",
    "noncharacter beyond the BMP": "Eve\U0010ffff",
    "blank Braille cells alone": "\u2800\u2800",
}


@pytest.mark.parametrize("text", UNMEANT.values(), ids=UNMEANT.keys())
def test_what_no_person_could_have_meant_as_a_name_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"invisible|combining|blank"):
        clean(text, required=True)
    assert not re.fullmatch(pattern(required=True), text)


MEANT = {
    "an accent on its letter": "Jose\u0301",
    "Korean": "\uae40\ubbfc\uc900",
    "an emoji with its variation selector": "\u2764\ufe0f",
    "a skin tone": "\U0001f44d\U0001f3fd",
    "Braille with a blank cell inside": "\u2801\u2800\u2803",
    "Devanagari with a vowel sign": "\u0928\u093f\u0927\u093f",
}


@pytest.mark.parametrize("text", MEANT.values(), ids=MEANT.keys())
def test_what_people_type_is_kept(text: str) -> None:
    assert clean(text, required=True) == text
    assert re.fullmatch(pattern(required=True), text)


def test_runs_of_blank_lines_are_shortened_to_two() -> None:
    assert clean("1 High St" + "\n" * 298 + "London", multiline=True) == "1 High St\n\n\nLondon"
    assert clean("a\n \n\u3000\n\u2800\n\nb", multiline=True) == "a\n \n\u3000\nb"
    assert clean("Dear all,\n\nwe are open.", multiline=True) == "Dear all,\n\nwe are open."
