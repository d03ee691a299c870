"""The settings reference (README.md's table, .env.example) is generated from the settings
classes, and the documents agree with them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

import pytest
from pydantic import AliasChoices, Field
from pydantic_settings import NoDecode

from core.config import PROJECT_ROOT, SHOWN_DEFAULT, BaseConfig
from shop.settings_reference import (
    BEGIN,
    COMMAND,
    END,
    SETTINGS_CLASSES,
    main,
    render_env_example,
    render_table,
    settings_of,
    stale,
)

DOCUMENTS = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
SETTING_NAME = re.compile(
    r"`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?:=[^`]*)?`|\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)="
)


def _names() -> set[str]:
    """Every variable the settings classes read, former names included."""
    return {
        name
        for settings_class in SETTINGS_CLASSES
        for setting in settings_of(settings_class)
        for name in (setting.name, *setting.formerly)
    }


def test_readme_table_and_env_example_agree_with_the_settings_classes() -> None:
    outdated = [str(path.relative_to(PROJECT_ROOT)) for path in stale()]
    assert outdated == [], f"{outdated} disagree with the settings classes; run: {COMMAND}"


def test_every_settings_class_of_the_project_is_in_the_reference() -> None:
    declared = {
        match
        for package in ("core", "runtime", "bot", "admin_api", "shop")
        for source in (PROJECT_ROOT / package).rglob("*.py")
        for match in re.findall(
            r"^class (\w+)\((?:\w+\.)*(?:BaseConfig|BaseSettings)\)", source.read_text(), re.M
        )
    }
    assert declared - {"BaseConfig"} == {cls.__name__ for cls in SETTINGS_CLASSES}


def test_env_example_sets_every_setting_to_its_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _names():
        monkeypatch.delenv(name, raising=False)
    example = PROJECT_ROOT / ".env.example"
    secret = "x" * 32
    for settings_class in SETTINGS_CLASSES:
        from_example = settings_class(_env_file=example, jwt_secret=secret)
        assert from_example == settings_class(_env_file=None, jwt_secret=secret)


def test_every_commented_value_in_env_example_is_valid(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    owner = {s.name: cls for cls in SETTINGS_CLASSES for s in settings_of(cls)}
    lines = (PROJECT_ROOT / ".env.example").read_text().splitlines()
    commented = [line[2:] for line in lines if re.match(r"# [A-Z_]+=.", line)]
    assert {"MONGODB_URI", "DELIVERY_METHODS", "WEBHOOK_URL", "DATA_DIR"} <= {
        line.split("=")[0] for line in commented
    }
    for line in commented:
        name = line.split("=")[0]
        monkeypatch.delenv(name, raising=False)
        env_file = tmp_path / ".env"
        env_file.write_text(f"{line}\nJWT_SECRET={'x' * 32}\n")
        settings = owner[name](_env_file=env_file)
        assert name.lower() in settings.model_fields_set, line


def test_documents_repeat_no_settings_table() -> None:
    """The docs link to the README's table instead of keeping rows of their own."""
    names = _names()
    for document in DOCUMENTS:
        text = document.read_text()
        if BEGIN in text:
            text = text.split(BEGIN)[0] + text.split(END)[1]
        rows = re.findall(r"^\| *`([A-Z][A-Z0-9_]+)`", text, re.M)
        assert [row for row in rows if row in names] == [], f"{document.name} repeats settings"


def _compose_variables() -> set[str]:
    """The variables docker-compose.yml reads from .env for itself (the domain, MongoDB's
    user): real settings of the installation, not of the shop's processes."""
    compose = (PROJECT_ROOT / "docker-compose.yml").read_text()
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose))


def test_documents_name_only_real_settings() -> None:
    names, everywhere = _names() | _compose_variables(), set()
    for document in [*DOCUMENTS, PROJECT_ROOT / ".env.example"]:
        mentioned = {a or b for a, b in SETTING_NAME.findall(document.read_text())}
        assert mentioned - names == set(), f"{document.name} names settings the code lacks"
        everywhere |= mentioned
    assert {"PAYMENT_METHODS", "BOT_TOKEN", "SHOP_CURRENCY"} <= everywhere


class Example(BaseConfig):
    """Some part of the shop."""

    some_port: int = Field(default=8080, ge=1, le=65535, description="Port it listens on.")
    some_rate: float = Field(default=2.0, gt=0, description="Sends | second.")
    some_dir: Path = Field(default=PROJECT_ROOT / "var", description="Files.")
    some_flag: bool = Field(default=False, description="A switch.")
    some_level: Literal["low", "high"] = Field(default="low", description="How much.")
    some_origins: Annotated[tuple[str, ...], NoDecode] = Field(default=(), description="Who.")
    some_token: str | None = Field(
        default=None, max_length=10, description="A secret.", examples=["abc def"]
    )
    some_secret: str = Field(description="Key.", json_schema_extra={SHOWN_DEFAULT: "generated"})
    notifier_senders: int = Field(
        default=4,
        ge=1,
        validation_alias=AliasChoices("notifier_senders", "delivery_senders"),
        description="Notices sent at once.",
    )


def test_rows_show_defaults_and_allowed_values_from_the_fields() -> None:
    assert render_table([Example]).splitlines() == [
        "| Variable | Default | Allowed | Meaning |",
        "| --- | --- | --- | --- |",
        "| **Some part of the shop** | | | |",
        "| `SOME_PORT` | `8080` | `1` to `65535` | Port it listens on. |",
        "| `SOME_RATE` | `2` | over `0` | Sends \\| second. |",
        "| `SOME_DIR` | `var` |  | Files. |",
        "| `SOME_FLAG` | `false` | `true`, `false` | A switch. |",
        "| `SOME_LEVEL` | `low` | `low`, `high` | How much. |",
        "| `SOME_ORIGINS` | empty | comma-separated | Who. |",
        "| `SOME_TOKEN` | unset | up to 10 characters | A secret. |",
        "| `SOME_SECRET` | generated |  | Key. |",
        "| `NOTIFIER_SENDERS` (formerly `DELIVERY_SENDERS`) | `4` | `1` or more "
        "| Notices sent at once. |",
    ]


def test_env_example_sets_defaults_and_shows_examples_and_former_names() -> None:
    body = render_env_example([Example]).split("# --- Some part of the shop ---")[1]
    assert body.splitlines()[2:5] == [
        "# Port it listens on. Allowed: 1 to 65535.",
        "SOME_PORT=8080",
        "",
    ]
    for expected in (
        "# Files.\n# SOME_DIR=var\n",  # commented: the real default is the install's path
        "SOME_FLAG=false",
        "SOME_ORIGINS=\n",
        "# A secret. Allowed: up to 10 characters.\n# SOME_TOKEN='abc def'\n",
        "# Key. Default: generated.\n# SOME_SECRET=\n",
        "# Notices sent at once. Allowed: 1 or more. Formerly DELIVERY_SENDERS (still read).\n"
        "NOTIFIER_SENDERS=4\n",
    ):
        assert expected in body


def test_a_former_name_is_still_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the reference calls a former name is one pydantic-settings reads."""
    monkeypatch.setenv("DELIVERY_SENDERS", "7")
    assert Example(_env_file=None, some_secret="k").notifier_senders == 7


def test_a_setting_without_a_description_stops_the_reference() -> None:
    class Undescribed(BaseConfig):
        """Somewhere."""

        quiet: int = 1

    with pytest.raises(SystemExit, match=r"Undescribed\.quiet has no Field\(description=...\)"):
        render_table([Undescribed])


def test_write_replaces_only_the_marked_block_and_check_agrees(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Shop\n\nintro\n{BEGIN}\n| old | table |\n{END}\n\n## Next\noutro\n")
    (tmp_path / ".env.example").write_text("OLD=1\n")

    assert main(["--check"], root=tmp_path) == 1
    assert f"README.md, .env.example disagree with the settings classes; run: {COMMAND}" in (
        capsys.readouterr().err
    )
    assert main(["--write"], root=tmp_path) == 0
    assert capsys.readouterr().out == "updated README.md\nupdated .env.example\n"

    text = readme.read_text()
    assert text.startswith(f"# Shop\n\nintro\n{BEGIN}\n")
    assert text.endswith(f"{render_table()}{END}\n\n## Next\noutro\n")
    assert "| old | table |" not in text
    assert (tmp_path / ".env.example").read_text() == render_env_example()
    assert main(["--check"], root=tmp_path) == 0
    assert main(["--write"], root=tmp_path) == 0
    assert capsys.readouterr().out == ""  # nothing left to update


@pytest.mark.parametrize(
    "readme",
    ["# Shop without markers\n", f"{END}\n{BEGIN}\n", f"{BEGIN}\n{END}\n{BEGIN}\n{END}\n"],
)
def test_a_readme_without_one_marked_block_is_refused(tmp_path: Path, readme: str) -> None:
    (tmp_path / "README.md").write_text(readme)
    with pytest.raises(SystemExit, match=r"README\.md needs exactly one"):
        main(["--write"], root=tmp_path)
    assert (tmp_path / "README.md").read_text() == readme
    assert not (tmp_path / ".env.example").exists()
