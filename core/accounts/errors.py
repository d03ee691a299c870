"""Refusals about accounts, sign-in and guessing."""

from __future__ import annotations

import math
from typing import ClassVar

from core.base.errors import Conflict, DomainError, Forbidden, Reason


class EmailTaken(Conflict):
    code = "email-taken"

    def __init__(self) -> None:
        super().__init__("An account with this email already exists.")


class TelegramAccountTaken(Conflict):
    code = "telegram-account-taken"

    def __init__(self) -> None:
        super().__init__("This Telegram account is already linked to a shop account.")


class AuthenticationFailed(DomainError):
    """Credentials or a token were wrong, or missing. Never says which part."""

    code = "unauthenticated"
    REASONS: ClassVar[tuple[str, ...]] = ()


class BadCredentials(AuthenticationFailed):
    REASONS = ("bad-credentials",)

    def __init__(self) -> None:
        super().__init__("The email or password is wrong.")


class BadToken(AuthenticationFailed):
    REASONS = ("bad-token",)

    def __init__(self) -> None:
        super().__init__("The token is invalid or has expired.")


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


class Throttled(Reason):
    """What a ``TooManyAttempts`` counted."""

    ATTEMPTS = "too-many-attempts", "Too many attempts"
    WRONG_PASSWORDS = "too-many-wrong-passwords", "Too many wrong passwords"
    SIGN_UPS = (
        "too-many-sign-ups",
        "Too many sign-ups with emails that already have an account",
    )


class TooManyAttempts(DomainError):
    """Too many tries of something guessable; ``retry_after`` seconds until the next."""

    code = "too-many-attempts"
    REASONS = tuple(Throttled)

    def __init__(self, retry_after: int, what: Throttled = Throttled.ATTEMPTS) -> None:
        count, unit = (
            (retry_after, "second") if retry_after < 60 else (math.ceil(retry_after / 60), "minute")
        )
        wait = f"{count} {unit}{'s' if count != 1 else ''}"
        super().__init__(f"{what.message}; try again in {wait}.", what.value)
        self.retry_after = retry_after
        self.what = what


class WrongPassword(Forbidden):
    code = "wrong-password"

    def __init__(self) -> None:
        super().__init__("The current password is wrong.")


class NotStaff(AuthenticationFailed):
    """The right password, for an account that is not an operator's or an admin's."""

    code = "not-staff"

    def __init__(self) -> None:
        super().__init__("Only the shop's operators and admins can sign in here.")
