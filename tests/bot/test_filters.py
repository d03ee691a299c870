"""Every filter of the bot's routers is a coroutine: aiogram runs any other (a bare magic
filter, a bare state) in a worker thread for each update it is tried on."""

from collections.abc import Iterator

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject

from bot.handlers import build_routers


def filters(router: Router) -> Iterator[tuple[str, FilterObject]]:
    for name, observer in router.observers.items():
        for handler in observer.handlers:
            for found in handler.filters or []:
                yield f"{router.name}.{name}.{handler.callback.__name__}", found
        for found in observer._handler.filters or []:
            yield f"{router.name}.{name}", found
    for sub in router.sub_routers:
        yield from filters(sub)


def test_no_filter_runs_in_a_thread() -> None:
    threaded = [
        (where, found.magic or found.callback)
        for router in build_routers()
        for where, found in filters(router)
        if not found.awaitable
    ]
    assert threaded == []
    assert sum(1 for router in build_routers() for _ in filters(router)) > 30  # it looks
