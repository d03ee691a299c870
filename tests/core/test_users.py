"""Accounts: registration, sign-in, tokens and profile changes."""

from datetime import timedelta
from typing import Any

import jwt
import pytest

from core.accounts.access import SYSTEM, Actor
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
    AuthenticationFailed,
    EmailTaken,
    TelegramAccountTaken,
    WrongPassword,
)
from core.accounts.models import Language, Role
from core.accounts.tokens import TokenService
from core.base import clock
from core.base.commands import parse
from core.base.errors import Forbidden, InvalidInput
from core.shop import Shop
from tests.factories import NewUser
from tests.settings import ADDRESS, TEST_SECRET


async def test_register_hashes_the_password_and_defaults_to_user(shop: Shop) -> None:
    user = await shop.users.register(
        Registration(name=" Alice ", email="Alice@Example.COM", password="correct horse"),
        address=ADDRESS,
    )
    stored = await shop.store.users.find_one({"_id": user.id})
    assert stored is not None
    assert (user.name, user.email, user.role) == ("Alice", "alice@example.com", Role.USER)
    assert stored["passwordHash"].startswith("$2b$")
    assert "correct horse" not in str(stored)
    assert user.created_at.tzinfo is not None


async def test_duplicate_email_is_refused_whatever_its_case(shop: Shop, new_user: NewUser) -> None:
    await new_user(email="bob@example.com")
    with pytest.raises(EmailTaken):
        await new_user(email="BOB@example.com")
    assert await shop.store.users.count_documents({}) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"name": "A", "email": "not-an-email", "password": "long enough"},
        {"name": "A", "email": "a@example.com", "password": "short"},
        {"name": "A", "email": "a@example.com", "password": "x" * 73},
        {"name": "A\u202eevil", "email": "a@example.com", "password": "long enough"},
        {"name": {"$gt": ""}, "email": "a@example.com", "password": "long enough"},
        {"name": "x" * 101, "email": "a@example.com", "password": "long enough"},
        {"name": "A", "email": "a@example.com", "password": "long enough", "role": "admin"},
    ],
)
async def test_bad_registrations_write_nothing(shop: Shop, body: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as caught:
        await shop.users.register(parse(Registration, body), address=ADDRESS)
    assert caught.value.errors
    assert await shop.store.users.count_documents({}) == 0


async def test_unknown_email_and_wrong_password_fail_alike(shop: Shop, new_user: NewUser) -> None:
    await new_user(email="carol@example.com", password="right password")
    failures = []
    for email, password in [("nobody@example.com", "x"), ("carol@example.com", "wrong one")]:
        with pytest.raises(AuthenticationFailed) as caught:
            await shop.users.log_in(Credentials(email=email, password=password), address=ADDRESS)
        failures.append(caught.value.message)
    assert failures[0] == failures[1]

    user, token = await shop.users.log_in(
        Credentials(email="CAROL@example.com", password="right password"), address=ADDRESS
    )
    assert (await shop.users.from_token(token.token)).id == user.id


async def test_operator_payload_in_login_is_rejected(shop: Shop, new_user: NewUser) -> None:
    await new_user(email="dave@example.com")
    with pytest.raises(InvalidInput):
        parse(Credentials, {"email": {"$gt": ""}, "password": {"$gt": ""}})


def _forge(payload: dict[str, Any], key: str = TEST_SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(payload, key, algorithm=algorithm)


async def test_tampered_expired_and_unsigned_tokens_are_rejected(
    shop: Shop, new_user: NewUser
) -> None:
    user = await new_user()
    now = clock.now()
    good = {"sub": str(user.id), "role": "admin", "sv": 0, "iat": now, "exp": now + timedelta(1)}
    header, _, signature = shop.users._tokens.issue(user).token.split(".")
    admin_body = _forge(good).split(".")[1]
    bad_tokens = [
        _forge(good, key="another-secret-that-is-32-bytes-long!"),
        _forge({**good, "exp": now - timedelta(seconds=1)}),
        _forge({k: v for k, v in good.items() if k != "sv"}),
        jwt.encode(good, None, algorithm="none"),  # type: ignore[arg-type]
        f"{header}.{admin_body}.{signature}",
        "not.a.token",
        "",
    ]
    for token in bad_tokens:
        with pytest.raises(AuthenticationFailed):
            await shop.users.from_token(token)


async def test_a_token_reflects_the_current_role_and_dies_with_its_user(
    shop: Shop, new_user: NewUser
) -> None:
    user = await new_user()
    token = TokenService(TEST_SECRET, timedelta(hours=1)).issue(user).token
    await shop.store.users.update_one({"_id": user.id}, {"$set": {"role": "operator"}})
    assert (await shop.users.from_token(token)).role is Role.OPERATOR

    await shop.store.users.delete_one({"_id": user.id})
    with pytest.raises(AuthenticationFailed):
        await shop.users.from_token(token)


async def test_password_change_needs_the_old_one_and_ends_old_sessions(
    shop: Shop, new_user: NewUser
) -> None:
    user = await new_user(password="first password")
    _, old = await shop.users.log_in(
        Credentials(email=user.email, password="first password"), address=ADDRESS
    )
    with pytest.raises(WrongPassword):
        await shop.users.change_password(
            user.id,
            PasswordChange(old_password="wrong", new_password="second password"),
            address=ADDRESS,
        )
    await shop.users.change_password(
        user.id,
        PasswordChange(old_password="first password", new_password="second password"),
        address=ADDRESS,
    )
    with pytest.raises(AuthenticationFailed):
        await shop.users.from_token(old.token)
    await shop.users.log_in(
        Credentials(email=user.email, password="second password"), address=ADDRESS
    )


async def test_telegram_signup_links_one_account_per_telegram_user(shop: Shop) -> None:
    user = await shop.users.sign_up_telegram(
        TelegramSignup(telegram_id=42, name="Tg", email="tg@example.com")
    )
    assert (await shop.users.by_telegram(42)) == user
    assert not user.has_password
    with pytest.raises(TelegramAccountTaken):
        await shop.users.sign_up_telegram(
            TelegramSignup(telegram_id=42, name="Tg", email="other@example.com")
        )
    # A Telegram user without a password sets one without an old password.
    await shop.users.change_password(
        user.id, PasswordChange(new_password="new password"), address=ADDRESS
    )
    await shop.users.log_in(
        Credentials(email="tg@example.com", password="new password"), address=ADDRESS
    )


async def test_the_highest_telegram_id_counts_every_linked_account(
    shop: Shop, new_user: NewUser
) -> None:
    assert await shop.users.highest_telegram_id() is None
    await new_user()  # no Telegram account
    for telegram_id, email in ((1002, "erin@example.com"), (1001, "dan@example.com")):
        await shop.users.sign_up_telegram(
            TelegramSignup(telegram_id=telegram_id, name="Tg", email=email)
        )
    await shop.store.users.update_one({"telegramId": 1002}, {"$set": {"active": False}})
    assert await shop.users.highest_telegram_id() == 1002  # a deactivated account's too


async def test_profile_update_and_roles(shop: Shop, new_user: NewUser) -> None:
    user = await new_user()
    renamed = await shop.users.update_profile(user.id, ProfileUpdate(name="Alicia"))
    assert renamed.name == "Alicia"
    assert renamed.updated_at >= user.updated_at

    with pytest.raises(Forbidden):
        await shop.accounts.set_role(Actor.of(user), user.id, Role.ADMIN)
    assert (await shop.accounts.set_role(SYSTEM, user.id, Role.OPERATOR)).role is Role.OPERATOR


async def test_create_admin_creates_or_promotes(shop: Shop, new_user: NewUser) -> None:
    root = AdminAccount(name="Root", email="root@example.com", password="admin password")
    admin = await shop.accounts.create_admin(root)
    assert admin.role is Role.ADMIN
    existing = await new_user(email="eve@example.com")
    eve = AdminAccount(name="Eve", email="eve@example.com", password="eve password!")
    promoted = await shop.accounts.create_admin(eve)
    assert (promoted.id, promoted.role) == (existing.id, Role.ADMIN)


@pytest.mark.parametrize(
    ("tag", "language"),
    [("ru", Language.RU), ("ru-RU", Language.RU), ("EN_gb", Language.EN), ("de", None), ("", None)],
)
def test_a_client_language_tag_maps_to_the_shops_language(tag: str, language: Language) -> None:
    assert Language.of(tag) is language


async def test_the_language_is_kept_from_signup_until_the_customer_picks_another(
    shop: Shop,
) -> None:
    signup = TelegramSignup(telegram_id=7, name="Ivan", email="ivan@example.com", language="ru")
    user = await shop.users.sign_up_telegram(signup)
    assert user.language is Language.RU
    # Writing from an app in another language does not override what is stored.
    assert (await shop.users.back_on_telegram(user, Language.EN)).language is Language.RU

    picked = await shop.users.set_language(user.id, parse(LanguageChoice, {"language": "en"}))
    assert picked.language is Language.EN
    assert (await shop.users.by_telegram(7)) == picked
    with pytest.raises(InvalidInput):
        parse(LanguageChoice, {"language": "de"})


async def test_an_account_without_a_language_takes_its_telegram_apps(shop: Shop) -> None:
    user = await shop.users.sign_up_telegram(
        TelegramSignup(telegram_id=8, name="Old", email="old@example.com")
    )
    assert user.language is None
    assert await shop.users.back_on_telegram(user, None) == user  # nothing known: no write
    assert (await shop.users.back_on_telegram(user, Language.RU)).language is Language.RU
