"""``python -m runtime import-keys`` fed what it must refuse, adding nothing: a file that is
not UTF-8 (a guessed decoding would sell mangled keys), one past the upload limit, and bad
lines, named by number and never echoed."""

from __future__ import annotations

import uuid
from pathlib import Path

from pymongo import MongoClient

from core.digital.commands import KEY_FILE_MAX_BYTES
from tests.runtime.test_cli import run_cli
from tests.sheets import csv_file

STARS = {"SHOP_CURRENCY": "XTR", "PAYMENT_METHODS": "stars"}


def test_import_keys_refuses_what_it_cannot_sell_as_given(mongo_uri: str, tmp_path: Path) -> None:
    database = f"test_cli_{uuid.uuid4().hex[:12]}"
    sheet = tmp_path / "products.csv"
    sheet.write_bytes(csv_file(["GAME-1", "Game", "", "50", 0, "", "", ""]))
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes(b"GOOD-1\nCAF\xc9-2\n")
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"K\n" * (KEY_FILE_MAX_BYTES // 2 + 1))
    bad = tmp_path / "bad.txt"
    bad.write_text("GOOD-1\nSECRET\tTAB\n" + "X" * 201 + "\n")
    client: MongoClient[dict[str, object]]
    with MongoClient(mongo_uri) as client:
        try:
            made = run_cli(mongo_uri, database, "import-products", str(sheet), **STARS)
            assert made.returncode == 0, made.stderr

            mangled = run_cli(mongo_uri, database, "import-keys", "GAME-1", str(latin1), **STARS)
            assert mangled.returncode == 1
            assert "not UTF-8 text" in mangled.stderr and "line 2" in mangled.stderr
            large = run_cli(mongo_uri, database, "import-keys", "GAME-1", str(huge), **STARS)
            assert large.returncode == 1 and "split it" in large.stderr
            lines = run_cli(mongo_uri, database, "import-keys", "GAME-1", str(bad), **STARS)
            assert lines.returncode == 1
            assert "line 2: at most 200 printable characters" in lines.stderr
            assert "line 3: at most 200 printable characters" in lines.stderr
            assert "SECRET" not in lines.stderr + lines.stdout
            assert client[database].goods_keys.count_documents({}) == 0
            product = client[database].products.find_one({"sku": "GAME-1"})
            assert product is not None and "digital" not in product
        finally:
            client.drop_database(database)
