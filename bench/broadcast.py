"""``python -m bench.broadcast [--recipients N]``: a broadcast against Telegram's 30/s limit.

The sandbox enforces 30 messages per second for the bot and 1 per second per chat, as
Telegram does, and answers 429 beyond them. The notifier runs as its own process
(``python -m bot.notifier``) over the embedded engine. The baseline, in the same run, is a
bare aiogram loop with no database at all, paced in process at the same 34 ms interval:
the best a sender can do here. Reported: sustained rate (first to last accepted send),
its ratio to the limit and to the baseline, 429s met, duplicates and lost messages.

``--blocked-every 40 --floods 3`` adds what the test suite checks at a small size
(``tests/bot/test_notifier.py``): every 40th recipient has blocked the bot (counted as
blocked, never sent), and the first 3 sends are answered 429 with ``retry_after`` 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
from collections.abc import Sequence
from typing import Any

from aiogram.exceptions import TelegramRetryAfter

from bench.processes import running
from bench.report import Table, save
from bench.stage import RESULTS, child_env, engine, shop_on
from bot.notifier.worker import SendWindow, slot_interval
from core.accounts.access import SYSTEM
from core.accounts.commands import TelegramSignup
from core.messaging.commands import BroadcastDraft
from sandbox import Sandbox, SandboxServer
from sandbox.models import ApiCall
from sandbox.testing import make_bot

LIMIT = 30.0
FIRST_CHAT = 1_000_000
BASELINE_MESSAGES = 300


def _sends(calls: Sequence[ApiCall], since: int = 0) -> list[ApiCall]:
    return [c for c in calls[since:] if c.method.lower() == "sendmessage"]


def _rate(accepted: Sequence[ApiCall]) -> float:
    span = accepted[-1].at - accepted[0].at
    return (len(accepted) - 1) / span if span > 0 else 0.0


async def baseline(server: SandboxServer, chats: Sequence[int]) -> float:
    """A database-free loop with the notifier's pacing (interval and window): its rate."""
    bot = make_bot(server)
    step = slot_interval(LIMIT).total_seconds()
    window = SendWindow(int(LIMIT))
    start = len(server.sandbox.calls)
    next_at = time.monotonic()
    try:
        for chat in chats:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            next_at += step
            await window.turn()
            try:
                await bot.send_message(chat, "baseline")
            except TelegramRetryAfter as flood:
                next_at = time.monotonic() + flood.retry_after
    finally:
        await bot.session.close()
    return _rate([c for c in _sends(server.sandbox.calls, start) if c.status == 200])


async def measure(
    recipients: int, blocked_every: int = 0, floods: int = 0
) -> tuple[Table, dict[str, Any]]:
    sandbox = Sandbox()
    async with (
        engine() as uri,
        shop_on(uri, "bench_broadcast") as shop,
        SandboxServer(sandbox) as server,
    ):
        chats = list(range(FIRST_CHAT, FIRST_CHAT + recipients))
        for chat in chats:
            sandbox.add_user(chat, f"C{chat}")
            await shop.users.sign_up_telegram(
                TelegramSignup(telegram_id=chat, name=f"C{chat}", email=f"c{chat}@example.com")
            )
        blocked = set(chats[::blocked_every]) if blocked_every else set()
        for chat in blocked:
            sandbox.block(chat)
        sandbox.faults.rate_limit(global_per_second=int(LIMIT), per_chat_per_second=1)
        # Telegram's side of the test: keep the collector's pauses over this process's
        # large and growing state (10k users, every call) from bunching arrivals.
        gc.freeze()
        reachable = [chat for chat in chats if chat not in blocked]
        bare_rate = await baseline(server, reachable[:BASELINE_MESSAGES])
        first_call = len(sandbox.calls)
        counts_before = {chat: sandbox.sent_count(chat) for chat in chats}

        env = child_env(
            uri,
            "bench_broadcast",
            BOT_TOKEN=sandbox.token,
            BOT_API_BASE_URL=server.url,
            TELEGRAM_MESSAGES_PER_SECOND=str(LIMIT),
        )

        async def started() -> bool:
            return True

        draft = BroadcastDraft.model_validate(
            {"text": "Our summer sale starts today!", "segment": {"kind": "all"}}
        )
        if floods:
            sandbox.faults.fail(floods, status=429, retry_after=1, methods=["sendMessage"])
        broadcast = await shop.broadcasts.start(SYSTEM, draft)
        began = time.monotonic()
        async with running("bot.notifier", env, RESULTS / "worker.log", started) as worker:
            while (progress := await shop.broadcasts.progress(SYSTEM, broadcast.id)).remaining:  # noqa: ASYNC110
                await asyncio.sleep(0.5)
            peak_rss = worker.peak_rss_mib()
        elapsed = time.monotonic() - began

    sends = _sends(sandbox.calls, first_call)
    accepted = [c for c in sends if c.status == 200]
    delivered = {chat: sandbox.sent_count(chat) - counts_before[chat] for chat in chats}
    duplicates = sum(max(0, n - 1) for n in delivered.values())
    lost = sum(1 for chat, n in delivered.items() if n == 0 and chat not in blocked)
    sent_to_blocked = sum(n for chat, n in delivered.items() if chat in blocked)
    rate = _rate(accepted)
    met = [c for c in sends if c.status == 429]
    early = max(  # accepted sends within retry_after (1 s) of a 429
        (sum(1 for c in accepted if flood.at < c.at < flood.at + 0.95) for flood in met), default=0
    )
    table = Table(
        f"Broadcast to {recipients:,} recipients, sandbox enforcing {LIMIT:.0f}/s and 1/s per chat",
        ["sender", "msg/s", "of limit", "vs baseline", "429s", "early after a 429", "blocked",
         "sent to blocked", "duplicates", "lost", "seconds", "worker peak RSS MiB"],
    )  # fmt: skip
    table.add("notifier", round(rate, 2), f"{rate / LIMIT:.1%}",
              round(rate / bare_rate, 3), len(met), early, progress.blocked, sent_to_blocked,
              duplicates, lost, round(elapsed, 1), round(peak_rss, 1))  # fmt: skip
    table.add("bare loop (baseline)", round(bare_rate, 2), f"{bare_rate / LIMIT:.1%}", 1.0,
              "", "", "", "", "", "", "", "")  # fmt: skip
    table.notes.append("target: >= 29 msg/s (97% of Telegram's limit), 0 duplicates, 0 lost")
    table.notes.append(
        "with --blocked-every/--floods: every blocked recipient counted and sent nothing, "
        "at most NOTIFIER_SENDERS - 1 (3) sends early after a 429 (those already on the wire)"
    )
    data = {
        "recipients": recipients,
        "rate": rate,
        "baseline_rate": bare_rate,
        "floods": len(met),
        "early_after_429": early,
        "blocked": progress.blocked,
        "sent_to_blocked": sent_to_blocked,
        "duplicates": duplicates,
        "lost": lost,
        "seconds": elapsed,
        "worker_peak_rss_mib": peak_rss,
    }
    return table, data


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.broadcast", description=__doc__)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--blocked-every", type=int, default=0, help="every Nth has blocked us")
    parser.add_argument("--floods", type=int, default=0, help="first N sends answered 429")
    args = parser.parse_args()
    table, data = asyncio.run(measure(args.recipients, args.blocked_every, args.floods))
    print(table.text())
    save("broadcast", [table], {"broadcast": data})


if __name__ == "__main__":
    main()
