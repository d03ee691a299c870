"""Money as people read it. Amounts everywhere else are integers in the currency's minor
units; only what is shown to a person goes through ``format_money``.

How many minor units a currency has comes from ISO 4217 (Babel's CLDR data): 2 for USD
and EUR (cents), 0 for JPY. Telegram Stars (``XTR``) are not an ISO currency: they are
whole Stars, shown with the star sign after the number.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_currency, format_decimal, get_currency_precision

STARS = "XTR"
STAR_SIGN = "⭐"


def exponent(currency: str) -> int:
    """Digits after the decimal point of ``currency``'s major unit (2 for USD, 0 for JPY)."""
    return 0 if currency == STARS else int(get_currency_precision(currency))


def major_units(amount: int, currency: str) -> Decimal:
    """``amount`` minor units as an exact decimal of major units (450 USD cents: 4.50)."""
    return Decimal(amount).scaleb(-exponent(currency))


def minor_units(text: str, currency: str) -> int:
    """An amount as people type it in major units (``4.50``, or ``4,50``) as minor units
    (450); ``ValueError`` saying what is wrong with it."""
    if not re.fullmatch(r"[+-]?[0-9]{1,15}(?:[.,][0-9]{1,15})?", text):
        raise ValueError(f"must be a number in {currency}, such as 4.50")
    digits = exponent(currency)
    amount = Decimal(text.replace(",", ".")).scaleb(digits)
    if amount != amount.to_integral_value():
        raise ValueError(f"{currency} prices have at most {digits} digits after the point")
    return int(amount)


@lru_cache(maxsize=4096)
def format_money(amount: int, currency: str, locale: str) -> str:
    """``amount`` minor units written for a reader of ``locale``: 450 USD is "$4.50" in
    English and "4,50 $" in Russian; 1500 JPY "¥1,500"; 15 XTR "15 ⭐".

    Babel takes about 0.1 ms a call; a shop shows the same few prices again and again, so
    the answers are kept (a pure function of its arguments)."""
    value = major_units(amount, currency)
    if currency == STARS:
        return f"{format_decimal(value, locale=locale)}\N{NO-BREAK SPACE}{STAR_SIGN}"
    return format_currency(value, currency, locale=locale)
