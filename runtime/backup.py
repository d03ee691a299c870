"""Backups of the shop's database: every collection dumped through the driver, and restored.

``python -m runtime backup OUT_DIR`` writes ``OUT_DIR/<database>/<collection>.bson`` (each
document's BSON as the database holds it, one after another: the format of ``mongodump``,
so ``mongorestore`` reads it too, e.g. to move from the embedded engine to MongoDB) and,
last, ``OUT_DIR/manifest.json`` (the database, each collection's document count, when),
so a backup without its manifest is known to be incomplete. ``restore IN_DIR`` loads one
into the configured database (``--replace`` first drops what is there), then creates the
indexes and runs recovery, as any start would. Indexes are not in the backup: the shop
creates them at every start.

The copy is consistent because nothing else writes while it is taken: for the embedded
engine the command refuses to run while another process (``./run``) has it open. A dump
taken while the shop writes would read each collection at a different moment (an order
without the stock it took, say), which no crash could produce and recovery cannot mend;
and the engine's H2 file cannot be copied raw while the engine writes it. A MongoDB
server is backed up with ``mongodump`` (see the README's "Backups").

This module reads and writes collections without interpreting them, so it is no rule of
the shop's and lives beside the other operations on a whole installation.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import bson
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo.asynchronous.database import AsyncDatabase

from core.base import clock
from core.config import CoreSettings, load
from core.shop import open_shop
from core.store import connect
from runtime.database import database

MANIFEST = "manifest.json"
FORMAT = 1
BATCH = 500
RAW = CodecOptions(document_class=RawBSONDocument)


class BackupError(SystemExit):
    """A backup or restore that cannot go on; one line says why."""


@dataclass(frozen=True)
class Manifest:
    database: str
    collections: dict[str, int]
    """Each collection's document count."""
    taken_at: datetime

    @property
    def documents(self) -> int:
        return sum(self.collections.values())

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "database": self.database,
                "takenAt": self.taken_at.isoformat(),
                "collections": self.collections,
            },
            indent=2,
        )

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        try:
            data = json.loads((folder / MANIFEST).read_bytes())
        except FileNotFoundError:
            raise BackupError(f"error: {folder} holds no complete backup (no {MANIFEST})") from None
        except json.JSONDecodeError:
            data = None
        try:
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("not a backup of this format")
            collections = {str(name): int(count) for name, count in data["collections"].items()}
            return cls(str(data["database"]), collections, datetime.fromisoformat(data["takenAt"]))
        except (KeyError, TypeError, ValueError, AttributeError):
            raise BackupError(
                f"error: {folder / MANIFEST} is not a backup this version reads"
            ) from None


async def back_up(db: AsyncDatabase[Any], out: Path) -> Manifest:
    """Dump every collection of ``db`` into ``out`` (which must be new or empty)."""
    folder = _new_folder(out, db.name)
    counts: dict[str, int] = {}
    for name in sorted(await db.list_collection_names()):
        if name.startswith("system."):
            continue
        with (folder / f"{name}.bson").open("wb") as dump:
            count = 0
            async for document in db.get_collection(name, codec_options=RAW).find():
                dump.write(document.raw)
                count += 1
        counts[name] = count
    manifest = Manifest(db.name, counts, clock.now())
    (out / MANIFEST).write_text(manifest.to_json())
    return manifest


def _refuse_to_overwrite(out: Path) -> None:
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"error: {out} is not empty; give a new folder")


def _new_folder(out: Path, name: str) -> Path:
    """``out/name``, made; ``out`` must be new or empty (a backup never overwrites one)."""
    _refuse_to_overwrite(out)
    folder = out / name
    folder.mkdir(parents=True)
    return folder


async def restore(db: AsyncDatabase[Any], source: Path, *, replace: bool) -> Manifest:
    """Load the backup in ``source`` into ``db``: refused when ``db`` holds documents,
    unless ``replace``, which drops its collections first."""
    manifest = Manifest.read(source)
    folder = source / manifest.database
    missing = [name for name in manifest.collections if not (folder / f"{name}.bson").is_file()]
    if missing:
        raise BackupError(f"error: the backup in {source} lacks {', '.join(missing)}")
    present = await _documents(db)
    if present and not replace:
        held = ", ".join(f"{name} ({count})" for name, count in present.items())
        raise BackupError(
            f"error: the database {db.name} is not empty ({held}); "
            "add --replace to drop it and restore the backup in its place"
        )
    for name in await db.list_collection_names():
        if not name.startswith("system."):
            await db.drop_collection(name)
    for name, expected in manifest.collections.items():
        collection = db.get_collection(name, codec_options=RAW)
        await db.create_collection(name)
        batch: list[RawBSONDocument] = []
        for document in _read(folder / f"{name}.bson"):
            batch.append(document)
            if len(batch) == BATCH:
                await collection.insert_many(batch)
                batch = []
        if batch:
            await collection.insert_many(batch)
        if (loaded := await collection.count_documents({})) != expected:
            raise BackupError(
                f"error: {name} has {loaded} documents after the restore, the backup {expected}"
            )
    return manifest


async def _documents(db: AsyncDatabase[Any]) -> dict[str, int]:
    """Collections of ``db`` holding documents, and how many."""
    counts = {}
    for name in sorted(await db.list_collection_names()):
        if name.startswith("system."):
            continue
        if count := await db[name].count_documents({}):
            counts[name] = count
    return counts


def _read(path: Path) -> Iterator[RawBSONDocument]:
    with path.open("rb") as dump:
        yield from bson.decode_file_iter(dump, RAW)


async def run_backup(out: Path) -> None:
    """``python -m runtime backup OUT``."""
    _refuse_to_overwrite(out)  # before the engine starts, to say so at once
    async with _alone() as (db, _, _):
        made = await back_up(db, out)
    print(
        f"backed up {made.documents} documents in {len(made.collections)} collections "
        f"of {made.database} to {out}"
    )


async def run_restore(source: Path, replace: bool) -> None:
    """``python -m runtime restore IN [--replace]``; then the shop is opened once, which
    creates its indexes and recovers interrupted work, as a start would."""
    Manifest.read(source)  # before the engine starts, to refuse no backup at once
    async with _alone() as (db, settings, uri):
        loaded = await restore(db, source, replace=replace)
        async with open_shop(settings, uri, check_prices=False):
            pass
    print(
        f"restored {loaded.documents} documents in {len(loaded.collections)} collections "
        f"from {source} (taken {loaded.taken_at:%Y-%m-%d %H:%M} UTC) into {db.name}"
    )


@contextlib.asynccontextmanager
async def _alone() -> AsyncIterator[tuple[AsyncDatabase[Any], CoreSettings, str]]:
    """The shop's database (with the settings and the engine's URI) on an embedded engine
    this process started, so that nothing else writes during a copy; refused for
    ``MONGODB_URI`` and while ``./run`` runs."""
    settings = load(CoreSettings)
    if settings.mongodb_uri is not None:
        raise BackupError(
            "error: MONGODB_URI is set: back up a MongoDB server with mongodump and restore "
            'with mongorestore (README, "Backups")'
        )
    async with database(settings) as opened:
        if opened.engine is None:
            raise BackupError(
                f"error: the shop is running on the embedded database in {settings.data_dir} "
                "(./run, or another command): stop it first, so that nothing writes during "
                "the copy"
            )
        client = connect(opened.uri, settings.mongodb_write_concern)
        try:
            yield client[settings.mongodb_database], settings, opened.uri
        finally:
            await client.close()
