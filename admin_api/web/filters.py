"""Jinja filters every template may use: money and times as staff read them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from core.base.money import format_money

LOCALE = "en"


def money(amount: int, currency: str) -> str:
    """``amount`` minor units of ``currency`` as people write it ("$4.50")."""
    return format_money(amount, currency, LOCALE)


def when(moment: datetime | None) -> str:
    """A time to the minute, in UTC ("2026-12-06 10:08 UTC"); a dash for none."""
    return "—" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")


def label(value: Any) -> str:
    """An enum's value as a label ("refund_due" → "refund due")."""
    text = str(getattr(value, "value", value))
    return text.replace("_", " ").replace("-", " ")


def choices(values: Iterable[Any]) -> list[tuple[str, str]]:
    """Enum members as the (value, label) options of a ``forms.choice``."""
    return [(str(getattr(v, "value", v)), label(v)) for v in values]


FILTERS: dict[str, Callable[..., Any]] = {
    "money": money,
    "when": when,
    "label": label,
    "choices": choices,
}
