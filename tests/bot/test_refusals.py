"""Core's refusals in the reader's language; core's own words where the catalog has none."""

from __future__ import annotations

import pytest

from bot import texts
from bot.i18n import load_catalogs
from core.accounts.errors import TooManyAttempts
from core.accounts.models import Language
from core.base.errors import DomainError, FieldError, InvalidInput, NotFound

SHORT = InvalidInput(
    "bad", [FieldError(("newPassword",), "String should have at least 8 characters")]
)
EMAIL = InvalidInput(
    "bad", [FieldError(("email",), "value is not a valid email address: It must have an @-sign.")]
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
            "New password: String should have at least 8 characters.",
            "Новый пароль: нужно не меньше 8 символов.",
        ),
        (
            EMAIL,
            "Email: value is not a valid email address: It must have an @-sign.",
            "Почта: это не похоже на адрес почты.",
        ),
        (
            TooManyAttempts(61, "Too many wrong passwords"),
            "Too many wrong passwords; try again in 2 minutes.",
            "Слишком много неверных паролей; попробуйте через 2 минуты.",
        ),
        (
            TooManyAttempts(300),
            "Too many attempts; try again in 5 minutes.",
            "Слишком много попыток; попробуйте через 5 минут.",
        ),
        (NotFound("No such order."), "No such order.", "Такого заказа нет."),
        (
            NotFound("Something core says now."),
            "Something core says now.",
            "Something core says now.",
        ),
    ],
)
def test_refusals_read_in_each_language(error: DomainError, english: str, russian: str) -> None:
    assert _in(Language.EN, error) == english
    assert _in(Language.RU, error) == russian
