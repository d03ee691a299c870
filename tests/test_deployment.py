"""docker-compose.yml cannot run here, so check that it names real parts of this project."""

import ast
from pathlib import Path
from typing import Any

import yaml

from core.config import PROJECT_ROOT


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
        assert service["environment"]["MONGODB_URI"].startswith("mongodb://mongo:")


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
