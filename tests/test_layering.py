"""Dependencies point inward: the rules of the layout, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core.config import PROJECT_ROOT

PROJECT_PACKAGES = {"core", "runtime", "bot", "admin_api", "shop", "bench", "sandbox"}


def _imports(package_dir: Path) -> set[tuple[str, str]]:
    """``(module file, top-level package imported)`` for every absolute import."""
    found: set[tuple[str, str]] = set()
    for source in package_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            else:
                continue
            found.update((str(source.relative_to(PROJECT_ROOT)), n.split(".")[0]) for n in names)
    return found


@pytest.mark.parametrize(
    ("package_dir", "forbidden"),
    [
        # The domain knows neither Telegram nor HTTP, nor its own entry points.
        ("core", PROJECT_PACKAGES - {"core"} | {"aiogram", "aiohttp"}),
        # How processes run: beneath every entry point, above the domain.
        ("runtime", PROJECT_PACKAGES - {"core", "runtime"} | {"aiogram", "aiohttp"}),
        # Entry points talk to core, never to each other.
        ("bot", {"admin_api", "shop", "sandbox", "bench"}),
        ("admin_api", {"aiogram", "bot", "shop", "sandbox", "bench"}),
        # The sandbox is a development tool of its own: it knows nothing of the shop.
        ("sandbox/sandbox", PROJECT_PACKAGES - {"sandbox"}),
    ],
)
def test_dependencies_point_inward(package_dir: str, forbidden: set[str]) -> None:
    imports = _imports(PROJECT_ROOT / package_dir)
    assert {name for _, name in imports} & {"core", "aiohttp", "pydantic"}  # it reads imports
    assert {(module, name) for module, name in imports if name in forbidden} == set()
