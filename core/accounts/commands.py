"""Validated input for accounts: sign-up, sign-in, profiles and admins' changes."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    ConfigDict,
    StrictBool,
    StringConstraints,
    model_validator,
)

from core.accounts.models import Language, Role
from core.base.commands import Command, HistoryQuery, Name, TelegramId
from core.base.fields import (
    MAX_EMAIL_LENGTH,
    Email,
    QueryFlag,
    given,
)

Password = Annotated[str, StringConstraints(min_length=8, max_length=72)]


class Registration(Command):
    name: Name
    email: Email
    password: Password


class AdminAccount(Registration):
    """``create-admin``'s account: a registration, optionally linked to a Telegram user."""

    telegram_id: TelegramId | None = None


def _email_key(value: str) -> str:
    return value.strip().lower()


class Credentials(Command):
    """Sign-in: the email is matched without surrounding spaces or case."""

    email: Annotated[
        str, StringConstraints(max_length=MAX_EMAIL_LENGTH), AfterValidator(_email_key)
    ]
    password: Annotated[str, StringConstraints(max_length=1024)]


class TelegramSignup(Command):
    telegram_id: TelegramId
    name: Name
    email: Email
    language: Language | None = None


class LanguageChoice(Command):
    language: Language


class ProfileUpdate(Command):
    name: Name


class PasswordChange(Command):
    old_password: Annotated[str, StringConstraints(max_length=72)] | None = None
    new_password: Password


class UserQuery(HistoryQuery):
    """Admins' search of accounts: ``q`` matches name or email (any case), or a Telegram id."""

    q: Annotated[str, StringConstraints(max_length=100)] = ""
    role: Role | None = None
    active: QueryFlag | None = None


class AccountChange(Command):
    """What an admin changes about an account: its role, whether it may sign in, or both."""

    role: Role | None = None
    active: StrictBool | None = None

    model_config = ConfigDict(json_schema_extra={"anyOf": [given("role"), given("active")]})

    @model_validator(mode="after")
    def _changes_something(self) -> Self:
        if self.role is None and self.active is None:
            raise ValueError("give role, active or both")
        return self
