"""The broadcast preview reads Telegram HTML as the sandbox's Bot API does (which follows
Telegram's): the same texts are refused, and what is accepted shows the same characters."""

from __future__ import annotations

import re
from html import unescape

import pytest

from admin_api.web.telegram_html import CannotParse, preview
from sandbox.errors import ApiError
from sandbox.formatting import parse_text

SAMPLES = [
    "plain text",
    "<b>bold</b> and <i>italic</i>, <u>under</u> <s>struck</s>",
    '<a href="https://example.com/?a=1&amp;b=2">link</a>',
    '<tg-spoiler>secret</tg-spoiler> <span class="tg-spoiler">too</span>',
    "<pre><code>x = 1 &lt; 2</code></pre><blockquote>quoted</blockquote>",
    "&lt;&gt;&amp;&quot; &#65;&#x42;",
    "<b>unclosed",
    "closed</b>",
    "<b><i>crossed</b></i>",
    "<script>alert(1)</script>",
    "<span>no class</span>",
    "a < b",
    "fish & chips",
    "<br/>",
]


def _sandbox(text: str) -> str | None:
    try:
        return parse_text(text, "HTML")[0]
    except ApiError:
        return None


@pytest.mark.parametrize("text", SAMPLES)
def test_the_preview_agrees_with_the_bot_api(text: str) -> None:
    try:
        shown: str | None = unescape(re.sub(r"<[^>]+>", "", str(preview(text, formatted=True))))
    except CannotParse:
        shown = None
    assert shown == _sandbox(text)


def test_a_plain_text_is_shown_exactly_as_typed() -> None:
    assert str(preview("<b>a & b</b>", formatted=False)) == "&lt;b&gt;a &amp; b&lt;/b&gt;"
