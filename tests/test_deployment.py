"""docker-compose.yml cannot run here, so check that it names real parts of this project
and has the production shape README's "Going live" describes: Caddy alone publishes ports,
MongoDB with authentication, a healthcheck that means something on every service, the
bot's webhook routed through Caddy, and a build context without secrets or local state."""

import ast
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import BotSettings
from core.config import PROJECT_ROOT
from runtime.config import OnConfigError, RuntimeSettings

APP_SERVICES = {"api": "admin_api", "bot": "bot", "notifier": "bot.notifier"}


def _compose() -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    return compose


def test_every_service_runs_a_real_entry_point() -> None:
    services = _compose()["services"]
    app_services = {name: s for name, s in services.items() if "build" in s}
    assert {"api", "bot", "notifier"} <= set(app_services)
    for name, service in app_services.items():
        command = service["command"]
        assert command[:2] == ["python", "-m"], name
        module = PROJECT_ROOT / Path(*command[2].split("."))
        assert (module / "__main__.py").is_file(), f"{name}: no entry point {command[2]}"
        assert "@mongo:27017/" in service["environment"]["MONGODB_URI"]


def _packages_needed_by(package: str) -> set[str]:
    """``package`` and every project package its modules import, transitively."""
    needed, todo = set(), [package]
    while todo:
        current = todo.pop()
        if current in needed:
            continue
        needed.add(current)
        for source in (PROJECT_ROOT / current).rglob("*.py"):
            for node in ast.walk(ast.parse(source.read_text())):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    if (PROJECT_ROOT / top / "__init__.py").is_file():
                        todo.append(top)
    return needed


def test_production_runs_a_real_mongodb_and_the_image_holds_every_package() -> None:
    services = _compose()["services"]
    assert services["mongo"]["image"].startswith("mongo:")
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    for command in (s["command"][2] for s in services.values() if "build" in s):
        for package in _packages_needed_by(command.split(".")[0]):
            assert f"COPY {package} ./{package}" in dockerfile, f"{command} needs {package}"
    assert "uv sync --frozen" in dockerfile


def _caddyfile() -> str:
    return (PROJECT_ROOT / "deploy" / "Caddyfile").read_text()


def _block(text: str, line: str) -> str:
    """The body of the Caddyfile block that opens with the whole line ``line``."""
    start = text.index(f"\n{line}\n") + len(line) + 2
    depth, end = 1, start
    while depth:
        depth += {"{": 1, "}": -1}.get(text[end], 0)
        end += 1
    return text[start : end - 1]


def test_only_caddy_publishes_ports_and_only_80_and_443() -> None:
    services = _compose()["services"]
    assert {"caddy", "mongo", *APP_SERVICES} <= set(services)
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"caddy"}
    assert services["caddy"]["ports"] == ["80:80", "443:443", "443:443/udp"]
    assert re.fullmatch(r"caddy:\d+\.\d+\.\d+(-alpine)?", services["caddy"]["image"])
    assert services["mongo"]["networks"] == ["data"]
    assert _compose()["networks"]["data"]["internal"] is True
    assert "data" not in services["caddy"]["networks"]


def test_every_service_has_a_healthcheck_that_checks_something_real() -> None:
    services = _compose()["services"]
    for name, service in services.items():
        test = service["healthcheck"]["test"]
        assert test[0] == "CMD" and test[1] not in {"true", "echo", "sh"}, name
        assert service["restart"] == "unless-stopped", name
    assert services["caddy"]["healthcheck"]["test"][-1] == "http://127.0.0.1:2019/config/"
    assert "ping" in services["mongo"]["healthcheck"]["test"][-1]
    api = services["api"]
    assert api["healthcheck"]["test"][1:] == [
        "python",
        "-m",
        "runtime.health",
        f"http://127.0.0.1:{api['environment']['API_PORT']}/readyz",
    ]
    assert '"/readyz", system.ready' in (PROJECT_ROOT / "admin_api" / "routes.py").read_text()
    for name in ("bot", "notifier"):
        assert services[name]["healthcheck"]["test"][1:] == ["python", "-m", "runtime.health", name]
    assert (PROJECT_ROOT / "runtime" / "health.py").is_file()
    assert "COPY runtime ./runtime" in (PROJECT_ROOT / "Dockerfile").read_text()
    for name, module in APP_SERVICES.items():
        # the name each entry point writes its heartbeat under (runtime/process.py)
        main = PROJECT_ROOT / Path(*module.split(".")) / "__main__.py"
        assert f'name="{name}"' in main.read_text(), module


def test_a_configuration_error_is_not_restarted_in_a_loop() -> None:
    """``restart: unless-stopped`` restarts whatever exits: the shop's processes instead
    wait after the one line of a configuration error (ON_CONFIG_ERROR=wait, tested in
    tests/test_entry_points.py), with no heartbeat, so their healthcheck says unhealthy."""
    for name in APP_SERVICES:
        environment = _compose()["services"][name]["environment"]
        runtime = RuntimeSettings(
            _env_file=None,
            on_config_error=environment["ON_CONFIG_ERROR"],
            heartbeat_dir=environment["HEARTBEAT_DIR"],
            db_wait_seconds=environment["DB_WAIT_SECONDS"],
        )
        assert runtime.on_config_error is OnConfigError.WAIT
        assert runtime.heartbeat_dir is not None and runtime.db_wait_seconds >= 30


def test_mongodb_requires_a_password_and_keeps_its_data_in_a_volume() -> None:
    compose = _compose()
    mongo = compose["services"]["mongo"]
    for variable in ("MONGO_INITDB_ROOT_USERNAME", "MONGO_INITDB_ROOT_PASSWORD"):
        assert mongo["environment"][variable].startswith(f"${{{variable}:?")
    assert mongo["volumes"] == ["mongo-data:/data/db"]
    assert "mongo-data" in compose["volumes"]
    assert "ports" not in mongo
    for name in APP_SERVICES:
        uri = compose["services"][name]["environment"]["MONGODB_URI"]
        assert uri.startswith(
            "mongodb://${MONGO_INITDB_ROOT_USERNAME:?set MONGO_INITDB_ROOT_USERNAME in .env}:"
            "${MONGO_INITDB_ROOT_PASSWORD:?set MONGO_INITDB_ROOT_PASSWORD in .env}@mongo:27017/"
        )
        assert uri.endswith("?authSource=admin")
        assert compose["services"][name]["depends_on"]["mongo"]["condition"] == "service_healthy"


def test_caddy_serves_the_domain_with_https_and_routes_the_api_and_the_webhook() -> None:
    compose = _compose()
    caddy = compose["services"]["caddy"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    assert "caddy-data:/data" in caddy["volumes"]  # the certificates
    assert set(caddy["environment"]) == {"SHOP_DOMAIN", "ACME_EMAIL"}
    caddyfile = _caddyfile()
    assert _block(caddyfile, "{").split() == ["email", "{$ACME_EMAIL}"]  # global options
    site = _block(caddyfile, "{$SHOP_DOMAIN} {")

    api = compose["services"]["api"]["environment"]
    assert (api["API_HOST"], api["TRUST_FORWARDED_FOR"]) == ("0.0.0.0", "true")  # noqa: S104
    everything_else = _block(site, "\thandle {")
    assert f"dynamic a api {api['API_PORT']}" in everything_else  # every scaled API process

    bot = compose["services"]["bot"]["environment"]
    settings = BotSettings(
        _env_file=None,
        bot_mode="webhook",
        webhook_url=bot["WEBHOOK_URL"],
        webhook_host=bot["WEBHOOK_HOST"],
        webhook_port=bot["WEBHOOK_PORT"],
        webhook_path=bot["WEBHOOK_PATH"],
    )
    assert (
        settings.webhook_url
        == f"https://${{SHOP_DOMAIN:?set SHOP_DOMAIN in .env}}{settings.webhook_path}"
    )
    assert settings.webhook_host == "0.0.0.0"  # noqa: S104
    webhook = _block(site, f"\thandle {settings.webhook_path} {{")
    assert f"dynamic a bot {settings.webhook_port}" in webhook
    assert site.index(f"handle {settings.webhook_path}") < site.index("\thandle {")


def _copied_packages() -> list[str]:
    """The project's packages the Dockerfile copies into the image."""
    lines = (PROJECT_ROOT / "Dockerfile").read_text().splitlines()
    sources = [line.split()[1] for line in lines if line.startswith("COPY ")]
    return [source for source in sources if (PROJECT_ROOT / source / "__init__.py").is_file()]


def _distributions_without_dev() -> set[str]:
    """What ``uv sync --frozen --no-dev`` installs: the project's locked dependencies and
    theirs (with the extras they name), never a dependency group."""
    lock = tomllib.loads((PROJECT_ROOT / "uv.lock").read_text())
    packages = {package["name"]: package for package in lock["package"]}
    needed: set[str] = set()
    todo = list(packages["telegram-shop"]["dependencies"])
    while todo:
        dependency = todo.pop()
        package = packages[dependency["name"]]
        optional = package.get("optional-dependencies", {})
        todo += [d for extra in dependency.get("extra", []) for d in optional[extra]]
        if dependency["name"] not in needed:
            needed.add(dependency["name"])
            todo += package.get("dependencies", [])
    return needed


IMPORT_EVERY_MODULE = """
import importlib, json, pkgutil, sys
for name in sys.argv[1:]:
    for module in pkgutil.walk_packages(importlib.import_module(name).__path__, name + "."):
        if not module.name.endswith(".__main__"):  # those run the process
            importlib.import_module(module.name)
files = {name for name, module in sys.modules.items() if getattr(module, "__file__", None)}
print(json.dumps(sorted({name.split(".")[0] for name in files})))
"""


@pytest.mark.slow
def test_the_image_holds_every_module_its_packages_import(tmp_path: Path) -> None:
    """Every module of the packages the Dockerfile copies imports with only those packages
    beside it, and every library it loads is one ``uv sync --no-dev`` installs (not a dev
    dependency such as the sandbox, PyYAML or jsonschema)."""
    copied = _copied_packages()
    assert {"core", "runtime", "admin_api", "bot"} <= set(copied)
    for package in copied:
        (tmp_path / package).symlink_to(PROJECT_ROOT / package)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERY_MODULE, *copied],
        cwd=tmp_path,
        env={**env, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    libraries = packages_distributions()
    installed = _distributions_without_dev()
    for name in json.loads(result.stdout):
        if name in sys.stdlib_module_names or name in copied or name.startswith("_"):
            continue
        assert name in libraries, f"{name} is neither copied nor installed"
        dists = {re.sub(r"[-_.]+", "-", dist).lower() for dist in libraries[name]}
        assert dists & installed, f"{name} comes from {dists}, a dev dependency only"


def test_the_build_context_leaves_out_secrets_local_state_and_caches() -> None:
    ignored = set((PROJECT_ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", "var", ".env", "bench/results", ".pytest_cache"} <= ignored
    assert {"**/__pycache__", ".mypy_cache", ".ruff_cache"} <= ignored
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text().splitlines()
    copied = {
        path for line in dockerfile if line.startswith("COPY ") for path in line.split()[1:-1]
    }
    assert {"core", "runtime", "uv.lock"} <= copied
    assert copied & ignored == set()  # the build still finds what it copies


def _dockerignored(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore's ``patterns`` leave ``path`` out: ``**/`` at any depth, a
    folder's pattern everything in it, ``!`` taking a path back, the last match winning."""
    parts = path.split("/")
    ignored = False
    for line in patterns:
        pattern = line.removeprefix("!").removeprefix("**/")
        starts = range(len(parts)) if line.removeprefix("!").startswith("**/") else [0]
        spans = ("/".join(parts[s:e]) for s in starts for e in range(s + 1, len(parts) + 1))
        if any(fnmatch.fnmatchcase(span, pattern) for span in spans):
            ignored = not line.startswith("!")
    return ignored


def test_the_build_context_holds_every_file_of_the_copied_packages() -> None:
    """Templates, static files, translations, the engine's launcher: whatever git tracks in
    a package the Dockerfile copies reaches the image."""
    lines = (PROJECT_ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert _dockerignored("bot/__pycache__/texts.cpython-311.pyc", patterns)
    assert _dockerignored(".env.local", patterns) and not _dockerignored(".env.example", patterns)
    tracked = subprocess.run(
        ["git", "ls-files", *_copied_packages()],  # noqa: S607 - git from PATH
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    suffixes = {Path(path).suffix for path in tracked}
    assert {".py", ".po", ".html", ".css", ".js"} <= suffixes
    assert [path for path in tracked if _dockerignored(path, patterns)] == []


def _compose_command() -> list[str] | None:
    """``docker compose`` (v2), else ``docker-compose`` (v1), else ``None``."""
    if shutil.which("docker"):
        probe = subprocess.run(
            ["docker", "compose", "version"],  # noqa: S607 - docker from PATH
            capture_output=True,
            check=False,
        )
        if probe.returncode == 0:
            return ["docker", "compose"]
    legacy = shutil.which("docker-compose")
    return None if legacy is None else [legacy]


COMPOSE = _compose_command()


@pytest.mark.skipif(COMPOSE is None, reason="neither docker compose nor docker-compose is here")
def test_docker_compose_accepts_the_file_and_refuses_it_without_a_domain(tmp_path: Path) -> None:
    assert COMPOSE is not None
    for name in ("docker-compose.yml", "Dockerfile", "deploy/Caddyfile"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    settings = (
        "ACME_EMAIL=owner@example.com\n"
        "MONGO_INITDB_ROOT_USERNAME=shop\nMONGO_INITDB_ROOT_PASSWORD=secret\n"
    )
    (tmp_path / ".env").write_text(settings)
    refused = _compose_config(COMPOSE, tmp_path)
    assert refused.returncode != 0
    assert "set SHOP_DOMAIN in .env" in refused.stderr

    (tmp_path / ".env").write_text(f"SHOP_DOMAIN=shop.example.com\n{settings}")
    accepted = _compose_config(COMPOSE, tmp_path)
    assert accepted.returncode == 0, accepted.stderr
    resolved = yaml.safe_load(accepted.stdout)["services"]
    assert resolved["api"]["environment"]["MONGODB_URI"] == (
        "mongodb://shop:secret@mongo:27017/?authSource=admin"
    )
    assert resolved["bot"]["environment"]["WEBHOOK_URL"] == (
        "https://shop.example.com/telegram/webhook"
    )


def _compose_config(command: list[str], folder: Path) -> subprocess.CompletedProcess[str]:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("SHOP_", "MONGO"))
    }
    return subprocess.run(
        [*command, "config"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy is not installed here")
def test_caddy_reads_the_caddyfile_as_the_routes_the_compose_file_expects() -> None:
    """Caddy's own reading of deploy/Caddyfile (``caddy adapt``, ``caddy validate``): one
    site, the domain from .env, the webhook path to the bot's port, everything else to the
    API's, certificates for the domain with ACME_EMAIL."""
    env = {**os.environ, "SHOP_DOMAIN": "shop.example.com", "ACME_EMAIL": "owner@example.com"}
    adapted, valid = (
        subprocess.run(
            ["caddy", command, "--adapter", "caddyfile", "--config", "deploy/Caddyfile"],  # noqa: S607
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        for command in ("adapt", "validate")
    )
    assert (valid.returncode, valid.stdout.strip()) == (0, "Valid configuration"), valid.stderr
    config = json.loads(adapted.stdout)
    [site] = config["apps"]["http"]["servers"]["srv0"]["routes"]
    assert site["match"] == [{"host": ["shop.example.com"]}]
    routes = [
        (route.get("match"), route["handle"][0]["routes"][0]["handle"][0])
        for route in site["handle"][0]["routes"]
        if route.get("group")  # the two `handle` blocks, in the order Caddy tries them
    ]
    services = _compose()["services"]
    bot, api = services["bot"]["environment"], services["api"]["environment"]
    upstreams = [(match, proxy["dynamic_upstreams"]) for match, proxy in routes]
    assert upstreams == [
        ([{"path": [bot["WEBHOOK_PATH"]]}], _dynamic("bot", bot["WEBHOOK_PORT"])),
        (None, _dynamic("api", api["API_PORT"])),
    ]
    [certificates] = config["apps"]["tls"]["automation"]["policies"]
    assert certificates["subjects"] == ["shop.example.com"]
    assert {issuer["email"] for issuer in certificates["issuers"]} == {"owner@example.com"}


def _dynamic(name: str, port: str) -> dict[str, object]:
    """Caddy's upstreams found by DNS: every container of the service ``name``."""
    return {"source": "a", "name": name, "port": port, "refresh": 5_000_000_000}
