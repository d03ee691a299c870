"""Money as people read it: per currency (ISO 4217 minor units, Telegram Stars) and per
language (separators, symbol placement)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.base.money import exponent, format_money, major_units, minor_units

NBSP = "\N{NO-BREAK SPACE}"


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "shown"),
    [
        (450, "USD", "en", "$4.50"),
        (123_456_789, "USD", "en", "$1,234,567.89"),
        (5, "USD", "en", "$0.05"),
        (0, "USD", "en", "$0.00"),
        (450, "USD", "ru", f"4,50{NBSP}$"),
        (123_450, "EUR", "ru", f"1{NBSP}234,50{NBSP}€"),
        (123_450, "EUR", "en", "€1,234.50"),
        (1500, "JPY", "en", "¥1,500"),
        (1500, "JPY", "ru", f"1{NBSP}500{NBSP}¥"),
        (15, "XTR", "en", f"15{NBSP}⭐"),
        (2500, "XTR", "en", f"2,500{NBSP}⭐"),
        (2500, "XTR", "ru", f"2{NBSP}500{NBSP}⭐"),
        (1000, "KWD", "en", "KWD1.000"),
    ],
)
def test_amounts_are_written_per_currency_and_language(
    amount: int, currency: str, locale: str, shown: str
) -> None:
    assert format_money(amount, currency, locale) == shown


@pytest.mark.parametrize(
    ("currency", "digits"), [("USD", 2), ("EUR", 2), ("JPY", 0), ("KWD", 3), ("XTR", 0)]
)
def test_minor_units_follow_iso_4217_and_stars_are_whole(currency: str, digits: int) -> None:
    assert exponent(currency) == digits


def test_major_units_are_exact() -> None:
    assert major_units(10, "USD") == Decimal("0.10")
    assert major_units(1_000_000_000_000_001, "USD") == Decimal("10000000000000.01")
    assert major_units(7, "JPY") == Decimal(7)


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [("4.50", "USD", 450), ("4,5", "EUR", 450), ("12", "JPY", 12), ("-3", "USD", -300)],
)
def test_a_typed_amount_is_read_as_minor_units(typed: str, currency: str, minor: int) -> None:
    assert minor_units(typed, currency) == minor


@pytest.mark.parametrize(("typed", "currency"), [("4.505", "USD"), ("1.5", "JPY"), ("1e3", "USD")])
def test_an_amount_the_currency_cannot_hold_is_refused(typed: str, currency: str) -> None:
    with pytest.raises(ValueError, match=currency):
        minor_units(typed, currency)
