"""The command line, run as a newcomer would: a real process against the test engine."""

import csv
import io
import os
import subprocess
import sys
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pymongo import MongoClient
from pymongo.collection import Collection

from core.accounts.access import SYSTEM
from core.sales.commands import CartChange, StatusUpdate
from core.sales.models import OrderStatus
from core.shop import Shop
from tests.factories import NewProduct, NewUser
from tests.images import image_bytes
from tests.processes import finished
from tests.settings import TEST_SECRET
from tests.sheets import csv_file, zip_file

pytestmark = pytest.mark.slow


def run_cli(
    mongo_uri: str, database: str, *args: str, stdin: str = "", **settings: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MONGODB_URI": mongo_uri,
        "MONGODB_DATABASE": database,
        "JWT_SECRET": TEST_SECRET,
        "BCRYPT_ROUNDS": "4",
        **settings,
    }
    return finished([sys.executable, "-m", "runtime", *args], env, stdin, timeout=60)


def test_create_admin_reads_the_password_from_stdin_and_seed_demo_fills_the_catalog(
    mongo_uri: str,
) -> None:
    database = f"test_cli_{uuid.uuid4().hex[:12]}"
    client: MongoClient[dict[str, object]]
    with MongoClient(mongo_uri) as client:
        try:
            made = run_cli(
                mongo_uri,
                database,
                "create-admin",
                "--email",
                "Boss@Example.com",
                stdin="a strong password\n",
            )
            assert made.returncode == 0, made.stderr
            assert "admin boss@example.com ready" in made.stdout
            user = client[database].users.find_one({"email": "boss@example.com"})
            assert user is not None and user["role"] == "admin"
            assert "a strong password" not in str(user)

            linked = run_cli(
                mongo_uri,
                database,
                "create-admin",
                "--email",
                "olga@example.com",
                "--telegram-id",
                "4242",
                stdin="another strong password\n",
            )
            assert linked.returncode == 0, linked.stderr
            assert "Telegram user 4242" in linked.stdout
            olga = client[database].users.find_one({"telegramId": 4242})
            assert olga is not None and olga["email"] == "olga@example.com"
            assert olga["role"] == "admin"

            short = run_cli(
                mongo_uri, database, "create-admin", "--email", "x@example.com", stdin="short\n"
            )
            assert short.returncode == 1
            assert short.stderr.strip() == "error: The request has invalid fields."

            seeded = run_cli(mongo_uri, database, "seed-demo", "--count", "12")
            assert seeded.returncode == 0, seeded.stderr
            assert "12/12" in seeded.stderr
            products = client[database].products
            assert (
                products.count_documents({"active": True, "photos": {"$exists": True, "$ne": []}})
                == 12
            )
            names = [c["name"] for c in client[database].categories.find().sort("position")]
            assert names == ["Tea", "Teaware", "Pantry"]
            assert products.count_documents({"categoryId": None}) == 0
            assert client[database]["photos.files"].count_documents({}) == 12
        finally:
            client.drop_database(database)


def test_a_changed_currency_stops_startup_until_the_prices_are_converted(mongo_uri: str) -> None:
    database = f"test_cli_{uuid.uuid4().hex[:12]}"
    stars = {"SHOP_CURRENCY": "XTR", "PAYMENT_METHODS": "stars"}
    client: MongoClient[dict[str, object]]
    with MongoClient(mongo_uri) as client:
        try:
            assert run_cli(mongo_uri, database, "seed-demo", "--count", "3").returncode == 0
            tea = client[database].products.find_one({"name": "Green tea"})
            assert tea is not None and (tea["price"], tea["currency"]) == (650, "USD")

            refused = run_cli(mongo_uri, database, "recover", **stars)
            assert refused.returncode == 1
            [line] = refused.stderr.strip().splitlines()
            assert line.startswith(
                "configuration error: SHOP_CURRENCY is XTR but 3 products are priced in USD "
                "(Green tea, "
            )
            assert "python -m runtime convert-currency --from USD --to XTR" in line

            args = ["convert-currency", "--from", "usd", "--to", "XTR", "--rate", "50"]
            converted = run_cli(mongo_uri, database, *args, "--round", "up", **stars)
            assert converted.returncode == 0, converted.stderr
            assert converted.stdout.startswith("converted 3 prices from USD to XTR at 50")
            tea = client[database].products.find_one({"name": "Green tea"})
            assert tea is not None and (tea["price"], tea["currency"]) == (325, "XTR")
            assert client[database].conversions.count_documents({"converted": 3}) == 1

            assert run_cli(mongo_uri, database, "recover", **stars).returncode == 0
        finally:
            client.drop_database(database)


async def test_exports_write_csv_to_a_file_or_standard_output(
    shop: Shop, mongo_uri: str, new_user: NewUser, new_product: NewProduct, tmp_path: Path
) -> None:
    """Orders placed through core, exported by the command line as the API exports them:
    filtered by status and by days in the shop's time zone."""
    alice = await new_user(name="=Alice")
    tea = await new_product("Tea", price=450)
    placed = []
    for quantity in (1, 2):
        await shop.carts.add(alice.id, CartChange(product_id=tea.id, quantity=quantity))
        placed.append(await shop.checkout.place_order(alice.id))
    await shop.orders.change_status(SYSTEM, placed[1].id, StatusUpdate(status=OrderStatus.PAID))
    database, moscow = shop.settings.mongodb_database, {"SHOP_TIMEZONE": "Europe/Moscow"}
    today = placed[0].created_at.astimezone(ZoneInfo("Europe/Moscow")).date().isoformat()
    target = tmp_path / "paid.csv"

    paid = run_cli(mongo_uri, database, "export-orders", "--status", "paid", "-o", str(target))
    everything = run_cli(
        mongo_uri, database, "export-orders", "--since", today, "--until", today, **moscow
    )
    before = run_cli(mongo_uri, database, "export-orders", "--until", "2000-01-01")
    customers = run_cli(mongo_uri, database, "export-customers")
    wrong = run_cli(mongo_uri, database, "export-orders", "--since", "yesterday")

    assert paid.returncode == 0, paid.stderr
    assert paid.stderr.strip() == f"wrote {target}"
    [row] = _csv(target.read_text(encoding="utf-8"))
    assert (row["id"], row["total_minor"], row["total"]) == (str(placed[1].id), "900", "9.00")
    rows = _csv(everything.stdout)
    assert [r["id"] for r in rows] == [str(o.id) for o in placed]
    assert rows[0]["created_at"].endswith("+03:00")
    assert rows[0]["customer_name"] == "'=Alice"
    assert _csv(before.stdout) == []
    assert [r["name"] for r in _csv(customers.stdout)] == ["'=Alice"]
    assert wrong.returncode == 1
    assert wrong.stderr.strip() == (
        "error: --since must be an RFC 3339 date-time with an offset, e.g. 2025-01-31T09:00:00Z"
    )


def _csv(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_import_products_checks_imports_and_says_so_in_plain_words(
    mongo_uri: str, tmp_path: Path
) -> None:
    database = f"test_cli_{uuid.uuid4().hex[:12]}"
    good, bad = tmp_path / "products.csv", tmp_path / "bad.csv"
    good.write_bytes(
        csv_file(
            ["TEA-1", "Green tea", "", "6.50", 20, "", "", ""],
            ["TEA-2", "Black tea", "", "5.50", 3, "", "", ""],
        )
    )
    bad.write_bytes(
        csv_file(
            ["TEA-3", "White tea", "", "9.00", 1, "", "", ""],
            ["TEA-4", "Mate", "", "1.00", -2, "", "", ""],
        )
    )
    photos = tmp_path / "photos.zip"
    photos.write_bytes(zip_file({"tea-1.jpg": image_bytes("JPEG"), "notes.txt": b"hi"}))
    client: MongoClient[dict[str, object]]
    with MongoClient(mongo_uri) as client:
        products: Collection[dict[str, object]] = client[database].products
        try:
            dry = run_cli(mongo_uri, database, "import-products", str(good), "--dry-run")
            assert dry.returncode == 0, dry.stderr
            assert dry.stdout.splitlines() == [
                "dry run, nothing written: 2 to create, 0 to update, 0 unchanged"
            ]
            assert products.count_documents({}) == 0

            args = ["import-products", str(good), "--photos", str(photos)]
            done = run_cli(mongo_uri, database, *args)
            assert done.returncode == 0, done.stderr
            assert done.stdout.splitlines() == [
                "imported: 2 created, 0 updated, 0 unchanged",
                "photos no row uses: notes.txt",
            ]
            assert products.count_documents({"photos": {"$exists": True, "$ne": []}}) == 1
            again = run_cli(mongo_uri, database, *args)
            assert again.stdout.splitlines()[0] == "imported: 0 created, 0 updated, 2 unchanged"

            refused = run_cli(mongo_uri, database, "import-products", str(bad))
            assert refused.returncode == 1
            assert refused.stdout.splitlines() == [
                "nothing imported: a row has problems (--partial imports the good rows)",
                "row 3, stock (SKU TEA-4): Input should be greater than or equal to 0",
            ]
            assert refused.stderr.strip() == (
                "error: Nothing was imported: 1 of 2 rows have problems."
            )
            partial = run_cli(mongo_uri, database, "import-products", str(bad), "--partial")
            assert partial.returncode == 1
            assert partial.stdout.splitlines()[0] == (
                "imported: 1 created, 0 updated, 0 unchanged, 1 refused"
            )
            assert partial.stderr.strip() == "error: 1 of 2 rows have problems"
            assert products.count_documents({}) == 3

            missing = run_cli(mongo_uri, database, "import-products", str(tmp_path / "no.csv"))
            assert missing.returncode == 1
            assert missing.stderr.strip() == (
                f"error: cannot read {tmp_path / 'no.csv'}: No such file or directory"
            )
        finally:
            client.drop_database(database)


def test_import_keys_fills_a_pool_by_sku_and_never_prints_a_key(
    mongo_uri: str, tmp_path: Path
) -> None:
    database = f"test_cli_{uuid.uuid4().hex[:12]}"
    stars = {"SHOP_CURRENCY": "XTR", "PAYMENT_METHODS": "stars"}
    sheet = tmp_path / "products.csv"
    sheet.write_bytes(csv_file(["GAME-1", "Game", "", "50", 0, "", "", ""]))
    keys = tmp_path / "keys.csv"
    keys.write_text("key,note\nAAAA-1111,first\nBBBB-2222,\nAAAA-1111,again\n")
    client: MongoClient[dict[str, object]]
    with MongoClient(mongo_uri) as client:
        try:
            made = run_cli(mongo_uri, database, "import-products", str(sheet), **stars)
            assert made.returncode == 0, made.stderr
            done = run_cli(mongo_uri, database, "import-keys", "game-1", str(keys), **stars)
            assert done.returncode == 0, done.stderr
            assert done.stdout.splitlines() == [
                "added 2 keys (1 already in the pool); 2 free, 0 sold, 0 returned; stock 2"
            ]
            assert "AAAA" not in done.stdout + done.stderr
            again = run_cli(
                mongo_uri, database, "import-keys", "GAME-1", "-", stdin="CCCC-3333\n", **stars
            )
            assert again.stdout.splitlines()[0].startswith("added 1 keys (0 already")
            product = client[database].products.find_one({"sku": "GAME-1"})
            assert product is not None and product["stock"] == 3
            manual = {"SHOP_CURRENCY": "XTR", "PAYMENT_METHODS": "manual"}
            without = run_cli(mongo_uri, database, "import-keys", "GAME-1", str(keys), **manual)
            assert without.returncode == 1
            assert "Telegram Stars only" in without.stderr
        finally:
            client.drop_database(database)
