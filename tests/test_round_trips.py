"""The database round trips of the hot paths, pinned: a count, the same on every machine,
so a change that adds one fails here (``bench/round_trips.py`` measures them; the README's
Performance section says what each one is)."""

from bench.round_trips import hot_paths

PINNED = {
    "catalog page": 2,  # the visit (account, cart, FSM state), the page
    "add to cart": 3,  # the visit, the product, the guarded cart write
    "checkout (bot)": 17,  # the visit, core's checkout of two lines by key, the FSM write
    "checkout (API)": 12,  # core's checkout of one line (the API also reads the caller)
    # (both include reading the customer's campaign for the order: core/campaigns)
}


async def test_the_hot_paths_make_the_pinned_round_trips(mongo_uri: str) -> None:
    paths = await hot_paths(mongo_uri)
    assert {path: len(commands) for path, commands in paths.items()} == PINNED, paths
