"""Login throttling per email and per client address."""

from __future__ import annotations

import pytest

from admin_api.throttle import LoginThrottle, TooManyAttempts
from tests.api.conftest import PASSWORD, Api, NewAccount, Serve


async def log_in(api: Api, email: str, password: str, **kwargs: object) -> int:
    reply = await api.post("/api/auth/login", json={"email": email, "password": password}, **kwargs)
    return reply.status


async def test_an_email_is_throttled_after_its_failures_even_with_the_right_password(
    serve: Serve, new_account: NewAccount
) -> None:
    api = await serve(login_failures_per_email=3)
    alice = await new_account()
    assert [await log_in(api, alice.email, "wrong password") for _ in range(3)] == [401] * 3
    reply = await api.post("/api/auth/login", json={"email": alice.email, "password": PASSWORD})
    assert (reply.status, reply.code) == (429, "too-many-attempts")
    assert 0 < int(reply.headers["Retry-After"]) <= 900
    assert await log_in(api, alice.email.upper(), PASSWORD) == 429  # same email, other case


async def test_other_emails_are_not_locked_by_someone_elses_failures(
    serve: Serve, new_account: NewAccount
) -> None:
    api = await serve(login_failures_per_email=2)
    alice, bob = await new_account(), await new_account(name="Bob")
    for _ in range(2):
        await log_in(api, alice.email, "wrong password")
    assert await log_in(api, bob.email, PASSWORD) == 200


async def test_a_success_clears_the_emails_failures(serve: Serve, new_account: NewAccount) -> None:
    api = await serve(login_failures_per_email=2)
    alice = await new_account()
    await log_in(api, alice.email, "wrong password")
    assert await log_in(api, alice.email, PASSWORD) == 200
    assert await log_in(api, alice.email, "wrong password") == 401
    assert await log_in(api, alice.email, PASSWORD) == 200


async def test_an_address_guessing_many_emails_is_throttled(
    serve: Serve, new_account: NewAccount
) -> None:
    api = await serve(login_failures_per_address=4)
    alice = await new_account()
    for n in range(4):
        assert await log_in(api, f"guess{n}@example.com", "wrong password") == 401
    assert await log_in(api, alice.email, PASSWORD) == 429


async def test_forwarded_for_is_used_only_when_trusted(
    serve: Serve, new_account: NewAccount
) -> None:
    alice = await new_account()
    for trusted, expected in ((False, 429), (True, 200)):
        api = await serve(login_failures_per_address=2, trust_forwarded_for=trusted)
        for n in range(2):
            headers = {"X-Forwarded-For": f"10.0.0.{n}"}
            await log_in(api, f"guess{n}@example.com", "wrong password", headers=headers)
        headers = {"X-Forwarded-For": "spoofed, 10.0.0.9"}
        assert await log_in(api, alice.email, PASSWORD, headers=headers) == expected


async def test_invalid_bodies_do_not_count_as_failures(
    serve: Serve, new_account: NewAccount
) -> None:
    api = await serve(login_failures_per_email=1)
    alice = await new_account()
    for _ in range(3):
        reply = await api.post("/api/auth/login", json={"email": alice.email})
        assert reply.status == 422
    assert await log_in(api, alice.email, PASSWORD) == 200


def test_the_window_ends() -> None:
    now = [0.0]
    throttle = LoginThrottle(per_email=2, per_address=100, window_seconds=60, clock=lambda: now[0])
    throttle.failed("a@example.com", "1.2.3.4")
    throttle.failed("a@example.com", "1.2.3.4")
    with pytest.raises(TooManyAttempts) as refused:
        throttle.check("a@example.com", "5.6.7.8")
    assert refused.value.retry_after == 60
    now[0] = 60.0
    throttle.check("a@example.com", "5.6.7.8")
