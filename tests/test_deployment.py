"""docker-compose.yml cannot run here, so check that it names real parts of this project."""

import re
from pathlib import Path

import yaml

from admin_api.config import ApiSettings
from bot.config import BotSettings
from core.config import PROJECT_ROOT, CoreSettings


def _compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())


def test_every_service_runs_a_real_entry_point() -> None:
    services = _compose()["services"]
    app_services = {name: s for name, s in services.items() if "build" in s}
    assert {"api", "bot"} <= set(app_services)
    for name, service in app_services.items():
        command = service["command"]
        assert command[:2] == ["python", "-m"], name
        module = PROJECT_ROOT / Path(*command[2].split("."))
        assert (module / "__main__.py").is_file(), f"{name}: no entry point {command[2]}"
        assert service["environment"]["MONGODB_URI"].startswith("mongodb://mongo:")


def test_production_runs_a_real_mongodb_and_the_image_holds_every_package() -> None:
    services = _compose()["services"]
    assert services["mongo"]["image"].startswith("mongo:")
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    for command in (s["command"][2] for s in services.values() if "build" in s):
        assert f"COPY {command.split('.')[0]} " in dockerfile
    assert "COPY core " in dockerfile
    assert "uv sync --frozen" in dockerfile


def test_env_example_names_only_real_settings_and_loads() -> None:
    example = PROJECT_ROOT / ".env.example"
    fields = {
        name.upper()
        for settings in (CoreSettings, ApiSettings, BotSettings)
        for name in settings.model_fields
    }
    named = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example.read_text(), re.MULTILINE))
    assert named - fields == set()
    assert {"MONGODB_URI", "JWT_SECRET", "BOT_TOKEN", "API_PORT"} <= named
    for settings in (CoreSettings, ApiSettings, BotSettings):
        settings(_env_file=example, jwt_secret="x" * 32)  # type: ignore[call-arg]
