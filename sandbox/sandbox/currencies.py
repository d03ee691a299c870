"""The currencies invoices may use, with their minor units and Telegram's amount limits.

Telegram publishes the supported currencies in ``core.telegram.org/bots/payments/currencies.json``:
``exp`` (digits after the decimal point) and ``min_amount``/``max_amount`` in minor units, about
US$1 and US$10,000 at the day's exchange rate. The sandbox keeps the exponents of the common ones
and limits copied from that file (they drift with exchange rates: treat them as approximate). A
total outside the limits is refused with "CURRENCY_TOTAL_AMOUNT_INVALID"; a currency Telegram
does not take at all (``SUPPORTED``, the codes of that file) with "CURRENCY_INVALID".
"""

from dataclasses import dataclass

STARS = "XTR"


@dataclass(frozen=True)
class Currency:
    exp: int
    min_amount: int
    max_amount: int


CURRENCIES: dict[str, Currency] = {
    # Telegram Stars: whole Stars. The upper limit was measured by others against the real
    # API (100 000 accepted, 150 000 refused); Telegram does not document it.
    STARS: Currency(0, 1, 100_000),
    "USD": Currency(2, 100, 1_000_000),
    "EUR": Currency(2, 87, 877_155),
    "GBP": Currency(2, 75, 757_605),
    "CHF": Currency(2, 99, 993_220),
    "CAD": Currency(2, 132, 1_321_950),
    "AUD": Currency(2, 139, 1_392_750),
    "PLN": Currency(2, 376, 3_764_026),
    "CZK": Currency(2, 2_251, 22_510_978),
    "SEK": Currency(2, 904, 9_047_896),
    "NOK": Currency(2, 851, 8_510_100),
    "DKK": Currency(2, 654, 6_545_403),
    "RUB": Currency(2, 6_598, 65_986_027),
    "UAH": Currency(2, 2_764, 27_648_991),
    "KZT": Currency(2, 37_767, 377_674_954),
    "UZS": Currency(2, 832_759, 8_327_599_915),
    "TRY": Currency(2, 526, 5_267_200),
    "INR": Currency(2, 7_090, 70_900_503),
    "BRL": Currency(2, 377, 3_775_397),
    "CNY": Currency(2, 674, 6_747_298),
    "JPY": Currency(0, 109, 1_095_549),
    "KRW": Currency(0, 1_119, 11_190_001),
    "VND": Currency(0, 23_084, 230_840_500),
}

SUPPORTED = frozenset(
    (
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ARS",
        "AUD",
        "AZN",
        "BAM",
        "BDT",
        "BGN",
        "BHD",
        "BND",
        "BOB",
        "BRL",
        "BYN",
        "CAD",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CRC",
        "CZK",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ETB",
        "EUR",
        "GBP",
        "GEL",
        "GHS",
        "GTQ",
        "HKD",
        "HNL",
        "HRK",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IQD",
        "ISK",
        "JMD",
        "JOD",
        "JPY",
        "KES",
        "KGS",
        "KRW",
        "KZT",
        "LBP",
        "LKR",
        "MAD",
        "MDL",
        "MMK",
        "MNT",
        "MOP",
        "MUR",
        "MVR",
        "MXN",
        "MYR",
        "MZN",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "PAB",
        "PEN",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "SAR",
        "SEK",
        "SGD",
        "SYP",
        "THB",
        "TJS",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "UGX",
        "USD",
        "UYU",
        "UZS",
        "VEF",
        "VND",
        "YER",
        "ZAR",
    )
) | {STARS}
"""The currencies Telegram's ``currencies.json`` lists, and Stars."""
