"""Core's refusals in the reader's language, worded by the bot from each refusal's stable
reason and each field problem's field and kind, never from core's English."""

from __future__ import annotations

import pytest

import core.shop  # noqa: F401 - every module of core, so every refusal it can raise
from bot import texts
from bot.i18n import load_catalogs
from core.accounts.errors import Throttled, TooManyAttempts
from core.accounts.models import Language
from core.base.errors import DomainError, FieldError, InvalidInput, Missing, NotFound, every_reason
from core.sales.errors import LineLimit

SHORT = InvalidInput(
    "bad",
    [
        FieldError(
            ("newPassword",),
            "String should have at least 8 characters",
            "string_too_short",
            {"min_length": 8},
        )
    ],
)
EMAIL = InvalidInput(
    "bad",
    [
        FieldError(
            ("email",), "value is not a valid email address: It must have an @-sign.", "email"
        )
    ],
)

PREMIUM = InvalidInput(
    "bad",
    [FieldError(("phone",), "is a premium-rate ... number", "phone_premium")],
)


def _in(language: Language, error: DomainError) -> str:
    i18n = load_catalogs(Language.EN)
    with i18n.context(), i18n.use_locale(language.value):
        return texts.refusal(error)


@pytest.mark.parametrize(
    ("error", "english", "russian"),
    [
        (
            SHORT,
            "New password: must have at least 8 characters.",
            "Новый пароль: нужно не меньше 8 символов.",
        ),
        (
            EMAIL,
            "Email: is not a valid email address.",
            "Почта: это не похоже на адрес почты.",
        ),
        (
            TooManyAttempts(61, Throttled.WRONG_PASSWORDS),
            "Too many wrong passwords; try again in 2 minutes.",
            "Слишком много неверных паролей; попробуйте через 2 минуты.",
        ),
        (
            PREMIUM,
            "Phone: is a premium-rate, pager or voicemail number: give one to call.",
            "Телефон: это платный номер, пейджер или голосовая почта: укажите номер, по "
            "которому можно позвонить.",
        ),
        (
            TooManyAttempts(2, Throttled.WRONG_PASSWORDS),
            "Too many wrong passwords; try again in 2 seconds.",
            "Слишком много неверных паролей; попробуйте через 2 секунды.",
        ),
        (
            TooManyAttempts(300),
            "Too many attempts; try again in 5 minutes.",
            "Слишком много попыток; попробуйте через 5 минут.",
        ),
        (NotFound(Missing.ORDER), "No such order.", "Такого заказа нет."),
        (
            LineLimit(100),
            "At most 100 of one product per order.",
            "Не больше 100 штук одного товара в заказе.",  # noqa: RUF001
        ),
    ],
)
def test_refusals_read_in_each_language(error: DomainError, english: str, russian: str) -> None:
    assert _in(Language.EN, error) == english
    assert _in(Language.RU, error) == russian


def test_every_refusal_core_can_raise_has_a_text() -> None:
    """A new refusal in core needs its words in the bot (and its translations, which the
    catalog check asks for); one the bot words but core no longer raises is dead."""
    assert set(texts.REFUSALS) == every_reason()


def test_a_reworded_refusal_reads_the_same() -> None:
    """The reply depends on the reason, not on core's English."""
    reworded = NotFound(Missing.ORDER)
    reworded.message = "Order not found (reworded)."
    assert _in(Language.EN, reworded) == "No such order."
    assert _in(Language.RU, reworded) == "Такого заказа нет."


def test_a_field_problem_of_an_unknown_kind_is_still_translated() -> None:
    odd = InvalidInput("bad", [FieldError(("quantity",), "Something pydantic says now", "odd")])
    assert _in(Language.EN, odd) == "Quantity: is not valid."
    assert _in(Language.RU, odd) == "Количество: неверное значение."
