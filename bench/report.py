"""Results: a short table on the terminal, JSON under ``bench/results/``, Markdown for the
README, and a description of the machine they were measured on."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.stage import RESULTS

Cell = str | int | float


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: Cell) -> None:
        self.rows.append(list(cells))

    def text(self) -> str:
        cells = [self.columns, *([_show(cell) for cell in row] for row in self.rows)]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.columns))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join([f"== {self.title}", *lines, *(f"   {note}" for note in self.notes)])

    def markdown(self) -> str:
        lines = [
            f"**{self.title}**",
            "",
            "| " + " | ".join(self.columns) + " |",
            "|" + "---|" * len(self.columns),
            *("| " + " | ".join(_show(cell) for cell in row) + " |" for row in self.rows),
        ]
        return "\n".join([*lines, *(f"\n{note}" for note in self.notes)])


def _show(cell: Cell) -> str:
    if isinstance(cell, float):
        return f"{cell:.2f}" if abs(cell) < 100 else f"{cell:.0f}"
    return str(cell)


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    java = subprocess.run(
        ["java", "-version"],  # noqa: S607 - java from PATH, as the engine finds it
        capture_output=True,
        text=True,
        check=False,
    ).stderr.splitlines()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024**2),
        "python": platform.python_version(),
        "java": java[0] if java else "unknown",
        "kernel": platform.release(),
    }


def save(name: str, tables: list[Table], data: dict[str, Any]) -> Path:
    """Write ``bench/results/<name>.json`` (and the Markdown beside it); the JSON's path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    path = RESULTS / f"{name}.json"
    document = {
        "measured_at": stamp,
        "machine": machine(),
        "data": data,
        "tables": [asdict(table) for table in tables],
    }
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    (RESULTS / f"{name}.md").write_text("\n\n".join(t.markdown() for t in tables) + "\n")
    return path
