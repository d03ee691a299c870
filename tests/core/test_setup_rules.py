"""Core's rules about a setup, which ``python -m bot.doctor`` reports: how durable the write
concern is where it runs, the indexes the shop declares, and a JWT secret's strength."""

import pytest

from core.accounts.tokens import STRONG_SECRET_BITS, secret_strength
from core.shop import Shop
from core.store import WriteConcernChoice, durability, judge_durability


@pytest.mark.parametrize(
    ("choice", "replica_set", "advice"),
    [
        (WriteConcernChoice.JOURNALED, False, None),
        (WriteConcernChoice.MAJORITY, True, None),
        (WriteConcernChoice.ACKNOWLEDGED, False, "set MONGODB_WRITE_CONCERN=journaled"),
        (WriteConcernChoice.ACKNOWLEDGED, True, "set MONGODB_WRITE_CONCERN=majority"),
        (
            WriteConcernChoice.JOURNALED,
            True,
            "lost when it fails: set MONGODB_WRITE_CONCERN=majority",
        ),
    ],
)
def test_a_write_concern_is_judged_where_it_runs(
    choice: WriteConcernChoice, replica_set: bool, advice: str | None
) -> None:
    found = judge_durability(choice, replica_set=replica_set)
    if advice is None:
        assert found.advice is None
    else:
        assert advice in (found.advice or "")
    assert (
        f"({choice.value}) on a {'replica set' if replica_set else 'single server'}"
        in found.summary
    )


async def test_the_engine_is_a_single_server_and_indexes_are_found_missing(shop: Shop) -> None:
    found = await durability(shop.client, WriteConcernChoice.JOURNALED)
    assert found.summary == "write concern w: 1, j: true (journaled) on a single server"
    assert await shop.store.missing_indexes() == []
    await shop.store.carts.drop_index("userId_1_checkout_1")
    try:
        assert await shop.store.missing_indexes() == ["carts: userId_1_checkout_1 (unique)"]
    finally:
        await shop.store.ensure_indexes()
    assert await shop.store.missing_indexes() == []


@pytest.mark.parametrize(
    ("secret", "guessable", "problem"),
    [
        ("short-but-random-Xq9", True, "shorter than 32 bytes"),
        ("changeme-" * 5, True, "a short pattern repeated"),
        ("abcdefgh" + "a" * 30, True, "about"),
        ("f7d3a36e53629d0a252a0b3c4d5e6f70", False, f"(want {STRONG_SECRET_BITS})"),
        ("9NfxJptL2vA1OVj1-8TKq3ZpR7vLw_T4nB8yHc1UeGd6sAfXo5NiVrYtK0qWjMbE", False, None),
    ],
)
def test_a_jwt_secret_is_judged_by_length_pattern_and_entropy(
    secret: str, guessable: bool, problem: str | None
) -> None:
    strength = secret_strength(secret)
    assert strength.guessable is guessable
    if problem is None:
        assert strength.problem is None and strength.bits > 256
    else:
        assert problem in (strength.problem or "")
