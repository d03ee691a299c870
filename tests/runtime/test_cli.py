"""The command line, run as a newcomer would: a real process against the test engine."""

import os
import subprocess
import sys
import uuid

import pytest
from pymongo import MongoClient

from tests.processes import finished
from tests.settings import TEST_SECRET

pytestmark = pytest.mark.slow


def run_cli(
    mongo_uri: str, database: str, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MONGODB_URI": mongo_uri,
        "MONGODB_DATABASE": database,
        "JWT_SECRET": TEST_SECRET,
        "BCRYPT_ROUNDS": "4",
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
            assert products.count_documents({"active": True, "photo": {"$ne": None}}) == 12
            names = [c["name"] for c in client[database].categories.find().sort("position")]
            assert names == ["Tea", "Teaware", "Pantry"]
            assert products.count_documents({"categoryId": None}) == 0
            assert client[database]["photos.files"].count_documents({}) == 12
        finally:
            client.drop_database(database)
