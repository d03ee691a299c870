"""Backups: ``python -m runtime backup`` / ``restore`` through the real embedded engine,
and what a restore does to notices that were in flight."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import bson
import pytest
from bson import ObjectId

from core.base import clock
from core.messaging.models import NoticeKind
from core.messaging.notifications import new_notification
from core.shop import Shop
from runtime.backup import back_up, restore
from runtime.embedded import EmbeddedMongo
from tests.processes import environment, finished


def _cli(data_dir: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    env = environment(DATA_DIR=str(data_dir), **settings)
    if "MONGODB_URI" not in settings:
        env.pop("MONGODB_URI", None)  # the embedded engine, in data_dir
    return finished([sys.executable, "-m", "runtime", *args], env, timeout=300)


def _documents(backup: Path) -> dict[str, list[bytes]]:
    """Each collection's documents in a backup, as raw BSON, sorted."""
    return {
        dump.stem: sorted(bson.encode(doc) for doc in bson.decode_all(dump.read_bytes()))
        for dump in sorted((backup / "shop").glob("*.bson"))
    }


@pytest.mark.slow
def test_backup_and_restore_round_trip_through_the_embedded_engine(tmp_path: Path) -> None:
    data = tmp_path / "var"
    seeded = _cli(data, "seed-demo", "--count", "4")
    assert seeded.returncode == 0, seeded.stderr

    first = tmp_path / "first"
    made = _cli(data, "backup", str(first))
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("backed up ")
    assert (first / "manifest.json").is_file()
    documents = _documents(first)
    assert len(documents["products"]) == 4
    assert documents["photos.chunks"]  # GridFS photos travel too
    again = _cli(data, "backup", str(first))
    assert (again.returncode, again.stderr) == (
        1,
        f"error: {first} is not empty; give a new folder\n",
    )

    (data / "mongo.mv").unlink()  # the data is gone
    restored = _cli(data, "restore", str(first))
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith(f"restored {sum(map(len, documents.values()))} documents")
    second = tmp_path / "second"
    assert _cli(data, "backup", str(second)).returncode == 0
    assert _documents(second) == documents

    refused = _cli(data, "restore", str(first))
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: the database shop is not empty (categories (3), ")
    assert refused.stderr.strip().endswith(
        "add --replace to drop it and restore the backup in its place"
    )
    replaced = _cli(data, "restore", str(first), "--replace")
    assert replaced.returncode == 0, replaced.stderr

    incomplete = tmp_path / "incomplete"
    incomplete.mkdir()
    unreadable = _cli(data, "restore", str(incomplete))
    assert (unreadable.returncode, unreadable.stderr) == (
        1,
        f"error: {incomplete} holds no complete backup (no manifest.json)\n",
    )
    (incomplete / "manifest.json").write_text('{"format": 99}')
    foreign = _cli(data, "restore", str(incomplete))
    assert (foreign.returncode, foreign.stderr) == (
        1,
        f"error: {incomplete / 'manifest.json'} is not a backup this version reads\n",
    )


@pytest.mark.slow
def test_backup_refuses_while_the_shop_runs_on_the_engine_or_on_mongodb(tmp_path: Path) -> None:
    data = tmp_path / "var"
    with EmbeddedMongo(data / "mongo.mv", cache_dir=data / "engine") as running:
        (data / "mongo.port").write_text(str(running.port))  # as ./run announces it
        busy = _cli(data, "backup", str(tmp_path / "copy"))
    assert busy.returncode == 1
    assert busy.stderr == (
        f"error: the shop is running on the embedded database in {data} (./run, or another "
        "command): stop it first, so that nothing writes during the copy\n"
    )
    assert not (tmp_path / "copy").exists()

    server = _cli(data, "backup", str(tmp_path / "copy"), MONGODB_URI="mongodb://127.0.0.1:1/")
    assert (server.returncode, server.stderr) == (
        1,
        "error: MONGODB_URI is set: back up a MongoDB server with mongodump and restore with "
        'mongorestore (README, "Backups")\n',
    )


async def test_a_restore_brings_back_notices_as_they_were_so_in_flight_ones_are_sent(
    shop: Shop, mongo_uri: str, tmp_path: Path
) -> None:
    """What README's "Backups" says: queued and sending notices are restored as they were,
    and the sending one's lease has run out by the time anyone restores, so it is claimed
    again at once (sent a second time if Telegram had it before the backup). (``mongo_uri``:
    the restore drops this test's database, so no other test may reuse it.)"""
    notices = shop.notifications
    product = ObjectId()
    fields = {"productId": product, "productName": "Tea", "stock": 1, "threshold": 5}
    await notices.enqueue(
        [new_notification(name, NoticeKind.LOW_STOCK, 1, **fields) for name in ("a", "b", "c")]
    )
    sending = await notices.claim()
    sent = await notices.claim()
    assert sending is not None and sent is not None
    await notices.mark_sent(sent, message_id=7)
    db = shop.client[shop.settings.mongodb_database]
    await back_up(db, tmp_path / "backup")

    await db.notifications.delete_many({})
    await restore(db, tmp_path / "backup", replace=True)
    states = {n["_id"]: n["state"] async for n in db.notifications.find()}
    assert states == {sending.id: "sending", sent.id: "sent", "c": "queued"}
    later = clock.now() + timedelta(seconds=shop.settings.lease_seconds + 1)
    again = {(await notices.claim(at=later)), (await notices.claim(at=later))}
    assert {n.id for n in again if n is not None} == {sending.id, "c"}
    assert await notices.claim(at=later) is None
