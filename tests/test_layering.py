"""Dependencies point inward: the rules of the layout, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core.config import PROJECT_ROOT

PROJECT_PACKAGES = {"core", "runtime", "bot", "admin_api", "shop", "bench", "sandbox"}


def _imports(package_dir: Path, depth: int = 1) -> set[tuple[str, str]]:
    """``(module file, package imported)`` for every absolute import: its first ``depth``
    dotted parts (``core`` at 1, ``core.sales`` at 2)."""
    found: set[tuple[str, str]] = set()
    for source in package_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            else:
                continue
            found.update(
                (str(source.relative_to(PROJECT_ROOT)), ".".join(n.split(".")[:depth]))
                for n in names
            )
    return found


@pytest.mark.parametrize(
    ("package_dir", "forbidden"),
    [
        # The domain knows neither Telegram nor HTTP, nor its own entry points, nor who
        # watches it (metrics read its figures and hear its recovery through a protocol).
        ("core", PROJECT_PACKAGES - {"core"} | {"aiogram", "aiohttp", "prometheus_client"}),
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


CAPABILITIES = {"core.base", "core.accounts", "core.catalog", "core.sales", "core.messaging"}
CAPABILITIES |= {"core.campaigns", "core.promotions"}
CORE_PACKAGES = CAPABILITIES | {"core.privacy", "core.reports", "core.digital"}
CORE_TOP = {"core.shop", "core.config", "core.store", "core.logs"}


@pytest.mark.parametrize(
    ("package_dir", "allowed"),
    [
        # The foundation knows no capability; accounts know only the foundation.
        ("core/base", {"core.base", "core.store"}),
        ("core/accounts", {"core.base", "core.store", "core.accounts"}),
        # Capabilities use each other, never the wiring of the whole shop.
        ("core/catalog", CAPABILITIES | {"core.store"}),
        ("core/messaging", CAPABILITIES | {"core.store"}),
        ("core/campaigns", CAPABILITIES | {"core.store"}),
        ("core/sales", CAPABILITIES | {"core.store", "core.config"}),
        ("core/promotions", CAPABILITIES | {"core.store"}),
        # Customers' data spans the others; nothing in core but the shop's wiring uses it.
        ("core/privacy", CORE_PACKAGES | {"core.store"}),
        # Digital goods deliver what sales sold; nothing in core but the shop's wiring uses them.
        ("core/digital", CAPABILITIES | {"core.digital", "core.store"}),
        # Reports read what the capabilities write; nothing but the shop's wiring uses them.
        ("core/reports", CAPABILITIES | {"core.reports", "core.store", "core.config"}),
    ],
)
def test_core_packages_point_inward(package_dir: str, allowed: set[str]) -> None:
    imports = {
        (module, name)
        for module, name in _imports(PROJECT_ROOT / package_dir, depth=2)
        if name.startswith("core")
    }
    assert imports  # it reads imports
    assert {(module, name) for module, name in imports if name not in allowed} == set()


def test_core_is_packages_and_a_few_process_modules() -> None:
    """Core stays grouped: a module at its top is one of the few that serve the whole
    process; every capability is a package with its models, commands and errors."""
    core = PROJECT_ROOT / "core"
    top = {f"core.{path.stem}" for path in core.glob("*.py") if path.stem != "__init__"}
    assert top == CORE_TOP
    packages = {f"core.{path.parent.name}" for path in core.glob("*/__init__.py")}
    assert packages == CORE_PACKAGES
    for package in packages:
        assert {"models.py", "commands.py", "errors.py"} <= {
            path.name for path in (core / package.split(".")[1]).glob("*.py")
        }


TEST_FOLDERS = ("tests", "sandbox/tests")


def _module_name(source: Path) -> str:
    """The name ``source`` is imported as (from the first folder up that is no package)."""
    parts = [source.stem]
    folder = source.parent
    while (folder / "__init__.py").exists():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts)


def _imported_modules(source: Path, tree: ast.Module) -> set[str]:
    """Every module that ``source`` imports from, relative imports resolved (and the
    ``from package import module`` form counted as importing that module)."""
    package = _module_name(source).split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _test_modules(sources: list[Path]) -> set[str]:
    """The conftest and test modules among ``sources``, by the names they are imported as."""
    return {
        _module_name(s) for s in sources if s.name == "conftest.py" or s.name.startswith("test_")
    }


def test_no_test_module_imports_another() -> None:
    """Helpers that tests share live in helper modules (``tests/settings.py``,
    ``tests/api/client.py``, ``tests/bot/chat.py``, ...), never in a conftest or a test
    module: pytest imports those itself, and a test module imported as a library ties one
    test file to another's internals."""
    sources = [s for folder in TEST_FOLDERS for s in (PROJECT_ROOT / folder).rglob("*.py")]
    tests = _test_modules(sources)
    assert {"tests.conftest", "tests.bot.conftest", "conftest"} <= tests  # the sandbox's too
    assert len(tests) > 50
    importing = [
        (str(source.relative_to(PROJECT_ROOT)), module)
        for source in sources
        for module in sorted(_imported_modules(source, ast.parse(source.read_text())) & tests)
    ]
    assert importing == []


def test_the_test_module_check_sees_every_form_of_import() -> None:
    source = PROJECT_ROOT / "tests" / "core" / "test_example.py"
    tree = ast.parse(
        "import tests.bot.test_delivery\n"
        "from tests.conftest import make_settings\n"
        "from ..conftest import NewUser\n"
        "from .test_crash_recovery import LEASE\n"
        "from tests.api import conftest\n"
        "from tests.settings import ADDRESS\n"
    )
    tests = {
        "tests.conftest",
        "tests.api.conftest",
        "tests.bot.test_delivery",
        "tests.core.test_crash_recovery",
        "tests.core.test_carts",
    }
    assert _imported_modules(source, tree) & tests == tests - {"tests.core.test_carts"}
    sandbox_test = PROJECT_ROOT / "sandbox" / "tests" / "test_sandbox_http.py"
    assert _imported_modules(sandbox_test, ast.parse("from conftest import x")) & {"conftest"} == {
        "conftest"
    }
