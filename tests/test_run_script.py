"""``./run``, the first command a newcomer types."""

from __future__ import annotations

import ast
import os
import shutil
from pathlib import Path

import pytest

from core.config import PROJECT_ROOT
from tests.processes import finished

pytestmark = pytest.mark.slow

UV = shutil.which("uv") or str(Path.home() / ".local/bin/uv")


@pytest.mark.skipif(not Path(UV).is_file(), reason="uv is not installed where ./run puts it")
def test_uv_installed_by_an_earlier_run_is_found_off_the_path(tmp_path: Path) -> None:
    """``pip install --user`` puts uv in ~/.local/bin, which is often not on PATH."""
    (tmp_path / ".local/bin").mkdir(parents=True)
    (tmp_path / ".local/bin/uv").symlink_to(UV)
    python_dir = Path(shutil.which("python3") or "/usr/bin/python3").parent
    env = {
        "HOME": str(tmp_path),
        "PATH": f"{python_dir}:/usr/bin:/bin",
        "UV_CACHE_DIR": os.environ.get("UV_CACHE_DIR", str(Path.home() / ".cache/uv")),
    }
    result = finished(
        ["bash", "run", "test", "--collect-only", "-q", "tests/core/test_logs.py"], env
    )
    assert result.returncode == 0, result.stderr
    assert "Installing uv" not in result.stderr
    assert "tests/core/test_logs.py:" in result.stdout  # pytest ran


def test_fast_leaves_out_the_slow_tier_only() -> None:
    module = "tests/api/test_throttle.py"
    result = finished(["bash", "run", "test", "--fast", "--collect-only", module])
    assert result.returncode == 0, result.stderr
    collected = {line for line in result.stdout.splitlines() if "::" in line}
    tests = {
        f"{module}::{node.name}"
        for node in ast.parse((PROJECT_ROOT / module).read_text()).body
        if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef)
        and node.name.startswith("test_")
    }
    slow = f"{module}::test_two_api_processes_share_the_limits"
    assert slow in tests
    assert collected == tests - {slow}
