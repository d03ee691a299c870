"""Bearer tokens: missing, malformed, tampered, expired, unsigned, forged or revoked."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from core.accounts.access import SYSTEM
from core.accounts.models import Role
from core.base import clock
from core.shop import Shop
from tests.api.client import Api
from tests.api.world import NewAccount
from tests.settings import TEST_SECRET


def forge(user_id: str, *, secret: str = TEST_SECRET, **claims: object) -> str:
    now = clock.now()
    payload = {"sub": user_id, "role": "user", "sv": 0, "iat": now, "exp": now + timedelta(1)}
    return jwt.encode({**payload, **claims}, secret, algorithm="HS256")


async def test_no_token_is_401_with_a_challenge(api: Api) -> None:
    reply = await api.get("/api/auth/me")
    assert (reply.status, reply.code) == (401, "unauthenticated")
    assert reply.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer    ", "token abc"])
async def test_malformed_authorization_header_is_401(api: Api, header: str) -> None:
    reply = await api.get("/api/auth/me", headers={"Authorization": header})
    assert reply.status == 401


async def test_tampered_token_is_401(api: Api, new_account: NewAccount) -> None:
    alice = await new_account()
    header, payload, signature = alice.token.split(".")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    for token in (f"{header}.{payload}.{flipped}", f"{header}.{payload}x.{signature}", "a.b.c"):
        assert (await api.get("/api/auth/me", token=token)).status == 401


async def test_expired_token_is_401(api: Api, new_account: NewAccount) -> None:
    alice = await new_account()
    token = forge(alice.id, exp=clock.now() - timedelta(seconds=5))
    assert (await api.get("/api/auth/me", token=token)).status == 401


async def test_unsigned_alg_none_token_is_401(api: Api, new_account: NewAccount) -> None:
    alice = await new_account()
    now = clock.now()
    claims = {"sub": alice.id, "role": "admin", "sv": 0, "iat": now, "exp": now + timedelta(1)}
    token = jwt.encode(claims, None, algorithm="none")  # type: ignore[arg-type]
    assert (await api.get("/api/auth/me", token=token)).status == 401
    assert (await api.get("/api/admin/users", token=token)).status == 401


async def test_token_signed_with_another_key_is_401(api: Api, new_account: NewAccount) -> None:
    alice = await new_account()
    token = forge(alice.id, secret="another-secret-that-is-long-enough-too", role="admin")
    assert (await api.get("/api/auth/me", token=token)).status == 401


async def test_role_claim_is_not_trusted_the_stored_role_is(
    api: Api, new_account: NewAccount
) -> None:
    alice = await new_account()
    token = forge(alice.id, role="admin")  # even correctly signed, the claim grants nothing
    assert (await api.get("/api/auth/me", token=token)).status == 200
    assert (await api.get("/api/admin/users", token=token)).status == 403


async def test_demoted_admins_old_token_no_longer_works(
    api: Api, shop: Shop, new_account: NewAccount
) -> None:
    await new_account(Role.ADMIN, name="Ada")  # the shop keeps an admin
    admin = await new_account(Role.ADMIN)
    assert (await api.get("/api/admin/users", token=admin.token)).status == 200
    await shop.accounts.set_role(SYSTEM, admin.user.id, Role.USER)
    assert (await api.get("/api/admin/users", token=admin.token)).status == 401
    assert (await api.get("/api/auth/me", token=admin.token)).status == 401


async def test_deleted_users_token_no_longer_works(
    api: Api, shop: Shop, new_account: NewAccount
) -> None:
    alice = await new_account()
    await shop.store.users.delete_one({"_id": alice.user.id})
    assert (await api.get("/api/auth/me", token=alice.token)).status == 401
    assert (await api.get("/api/cart", token=alice.token)).status == 401


async def test_an_invalid_token_on_a_public_route_is_still_refused(api: Api) -> None:
    reply = await api.get("/api/products", token="not-a-token")
    assert reply.status == 401
