"""Refusals about accounts, sign-in and guessing."""

from __future__ import annotations

import math

from core.base.errors import Conflict, DomainError, Forbidden


class EmailTaken(Conflict):
    code = "email-taken"

    def __init__(self) -> None:
        super().__init__("An account with this email already exists.")


class TelegramAccountTaken(Conflict):
    code = "telegram-account-taken"

    def __init__(self) -> None:
        super().__init__("This Telegram account is already linked to a shop account.")


class AuthenticationFailed(DomainError):
    """Credentials or a token were wrong. Never says which part."""

    code = "unauthenticated"


class AccountDeactivated(AuthenticationFailed):
    """The right password, for an account an admin has switched off."""

    code = "account-deactivated"

    def __init__(self) -> None:
        super().__init__("This account has been deactivated; ask the shop's admins.")


class LastAdmin(Conflict):
    code = "last-admin"

    def __init__(self) -> None:
        super().__init__("The shop needs an active admin: make another admin first.")


class AccountBusy(Conflict):
    code = "account-busy"

    def __init__(self) -> None:
        super().__init__("This account is being changed by someone else; try again.")


class TooManyAttempts(DomainError):
    """Too many tries of something guessable; ``retry_after`` seconds until the next."""

    code = "too-many-attempts"

    def __init__(self, retry_after: int, what: str = "Too many attempts") -> None:
        minutes = math.ceil(retry_after / 60)
        wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
        super().__init__(f"{what}; try again in {wait}.")
        self.retry_after = retry_after
        self.what = what


class WrongPassword(Forbidden):
    code = "wrong-password"

    def __init__(self) -> None:
        super().__init__("The current password is wrong.")
