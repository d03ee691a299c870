"""Accounts: registration, sign-in, tokens and profiles (roles: ``core/accounts/roles.py``)."""

from __future__ import annotations

import asyncio
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from core.accounts.commands import (
    AdminAccount,
    Credentials,
    LanguageChoice,
    PasswordChange,
    ProfileUpdate,
    Registration,
    TelegramSignup,
)
from core.accounts.errors import (
    AccountDeactivated,
    AuthenticationFailed,
    BadCredentials,
    BadToken,
    EmailTaken,
    TelegramAccountTaken,
    WrongPassword,
)
from core.accounts.models import Language, Role, User
from core.accounts.passwords import PasswordHasher
from core.accounts.throttle import Throttle
from core.accounts.tokens import Claims, IssuedToken, TokenService
from core.base import clock
from core.base.errors import Missing, NotFound
from core.base.ids import parse_id
from core.store import Store, update_and_fetch


def telegram_address(telegram_id: int) -> str:
    """What stands for a client address when a Telegram user signs up or signs in."""
    return f"telegram:{telegram_id}"


class Users:
    def __init__(
        self, store: Store, hasher: PasswordHasher, tokens: TokenService, throttle: Throttle
    ) -> None:
        self._users = store.users
        self._hasher = hasher
        self._tokens = tokens
        self._throttle = throttle

    async def register(self, registration: Registration, *, address: str) -> User:
        """A new account; ``address`` (the client's) waits after too many taken emails."""
        await self._throttle.before_registration(address)
        password_hash = await self._hasher.hash(registration.password)
        return await self._sign_up(
            address, registration.name, registration.email, password_hash=password_hash
        )

    async def sign_up_telegram(self, signup: TelegramSignup) -> User:
        """A new account linked to a Telegram user, who is throttled like an address."""
        address = telegram_address(signup.telegram_id)
        await self._throttle.before_registration(address)
        return await self._sign_up(
            address,
            signup.name,
            signup.email,
            telegram_id=signup.telegram_id,
            language=signup.language,
        )

    async def _sign_up(self, address: str, name: str, email: str, **account: Any) -> User:
        """A new account; a taken email counts against ``address``."""
        try:
            return await self._insert(name, email, **account)
        except EmailTaken:
            await self._throttle.email_taken(address)
            raise

    async def _insert(
        self,
        name: str,
        email: str,
        *,
        password_hash: str | None = None,
        telegram_id: int | None = None,
        language: Language | None = None,
    ) -> User:
        now = clock.now()
        document: dict[str, Any] = {
            "_id": ObjectId(),
            "name": name,
            "email": email,
            "role": Role.USER.value,
            "passwordHash": password_hash,
            "sessionVersion": 0,
            "createdAt": now,
            "updatedAt": now,
        }
        if telegram_id is not None:
            document["telegramId"] = telegram_id
        if language is not None:
            document["language"] = language.value
        try:
            await self._users.insert_one(document)
        except DuplicateKeyError as exc:
            if "telegramId" in str(exc.details):
                raise TelegramAccountTaken() from None
            raise EmailTaken() from None
        return User.model_validate(document)

    async def get(self, user_id: object) -> User:
        document = await self._users.find_one({"_id": parse_id(user_id)})
        if document is None:
            raise NotFound(Missing.USER)
        return User.model_validate(document)

    async def by_telegram(self, telegram_id: int) -> User | None:
        """The active account linked to this Telegram user (a deactivated one is unknown)."""
        return linked_account(await self._users.find_one({"telegramId": telegram_id}))

    async def highest_telegram_id(self) -> int | None:
        """The largest Telegram user id linked to any account, deactivated ones too."""
        document = await self._users.find_one(
            {"telegramId": {"$type": "number"}}, {"telegramId": 1}, sort=[("telegramId", -1)]
        )
        return None if document is None else int(document["telegramId"])

    async def back_on_telegram(self, user: User, language: Language | None = None) -> User:
        """The customer wrote to the bot, so it is no longer blocked: notices resume. A
        customer without a language keeps ``language`` (their Telegram app's) from now on."""
        changes: dict[str, Any] = {}
        if user.telegram_blocked:
            changes["telegramBlocked"] = False
        if user.language is None and language is not None:
            changes["language"] = language.value
        return await self._set(user.id, changes) if changes else user

    async def set_language(self, user_id: ObjectId, choice: LanguageChoice) -> User:
        return await self._set(user_id, {"language": choice.language.value})

    async def set_cart_reminders(self, user_id: ObjectId, on: bool) -> User:
        """Whether a cart left untouched earns this customer a reminder (``/profile``)."""
        return await self._set(user_id, {"cartReminders": on})

    async def authenticate(self, credentials: Credentials) -> User:
        """The user with these credentials; unknown email and wrong password fail alike."""
        document = await self._users.find_one({"email": credentials.email})
        user = None if document is None else User.model_validate(document)
        hashed = user.password_hash if user else None
        if not await self._hasher.verify(credentials.password, hashed) or user is None:
            raise BadCredentials()
        return user

    async def log_in(self, credentials: Credentials, *, address: str) -> tuple[User, IssuedToken]:
        """A token for these credentials. An email's wrong passwords from one ``address``
        (the client's) earn growing waits there; an address with many failures waits
        before each try."""
        await self._throttle.before_password_check(credentials.email, address)
        if slowdown := await self._throttle.slowdown(address):
            await asyncio.sleep(slowdown.total_seconds())
        try:
            user = await self.authenticate(credentials)
        except AuthenticationFailed:
            await self._throttle.login_failed(address)
            raise
        await self._throttle.password_confirmed(credentials.email, address)
        if not user.active:
            raise AccountDeactivated()
        return user, self._tokens.issue(user)

    async def from_token(self, token: str) -> User:
        """The user an API token was issued to, as they are now; revoked sessions fail."""
        return await self.from_claims(self._tokens.verify(token))

    async def from_claims(self, claims: Claims) -> User:
        """The user a verified token was issued to, as they are now; a token from before
        the account's sessions ended (or of a deactivated account) fails."""
        document = await self._users.find_one({"_id": parse_id(claims.user_id)})
        if document is None:
            raise BadToken()
        user = User.model_validate(document)
        if user.session_version != claims.session_version or not user.active:
            raise BadToken()
        return user

    async def update_profile(self, user_id: ObjectId, update: ProfileUpdate) -> User:
        return await self._set(user_id, {"name": update.name})

    async def change_password(
        self, user_id: ObjectId, change: PasswordChange, *, address: str, name: str | None = None
    ) -> User:
        """Set a new password (and ``name``, if given, in the same write: a refused change
        changes nothing); an existing one must be confirmed, with as few tries from
        ``address`` as a login (they count together). Ends every session."""
        user = await self.get(user_id)
        if user.has_password:
            await self._throttle.before_password_check(user.email, address)
            if not await self._hasher.verify(change.old_password or "", user.password_hash):
                raise WrongPassword()
            await self._throttle.password_confirmed(user.email, address)
        changes = {"passwordHash": await self._hasher.hash(change.new_password)}
        if name is not None:
            changes["name"] = name
        return await self._set(user_id, changes, end_sessions=True)

    async def set_up(self, account: AdminAccount) -> User:
        """The account with this email, created if need be, with this password (its old
        sessions end) and, if given, linked to the Telegram id: where ``create-admin`` starts."""
        password_hash = await self._hasher.hash(account.password)
        existing = await self._users.find_one({"email": account.email})
        if existing is None:
            return await self._insert(
                account.name,
                account.email,
                password_hash=password_hash,
                telegram_id=account.telegram_id,
            )
        changes: dict[str, Any] = {"passwordHash": password_hash}
        if account.telegram_id is not None:
            changes["telegramId"] = account.telegram_id
        try:
            return await self._set(existing["_id"], changes, end_sessions=True)
        except DuplicateKeyError:
            raise TelegramAccountTaken() from None

    async def _set(
        self, user_id: ObjectId, changes: dict[str, Any], *, end_sessions: bool = False
    ) -> User:
        update: dict[str, Any] = {"$set": {**changes, "updatedAt": clock.now()}}
        if end_sessions:
            update["$inc"] = {"sessionVersion": 1}
        document = await update_and_fetch(self._users, {"_id": user_id}, update)
        if document is None:
            raise NotFound(Missing.USER)
        return User.model_validate(document)


def linked_account(document: dict[str, Any] | None) -> User | None:
    """The account of a document found by its Telegram id, unless it is deactivated.

    The filter is on ``telegramId`` alone, the fields of its index: the embedded engine
    scans every account for any other filter.
    """
    if document is None or document.get("active") is False:
        return None
    return User.model_validate(document)
