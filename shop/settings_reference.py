"""The settings reference, generated from the settings classes: the table in README.md
(between its ``settings:begin``/``settings:end`` markers) and the whole of .env.example.

``python -m shop.settings_reference`` prints the table, ``--write`` rewrites both files and
``--check`` fails when either disagrees with the code (as tests/test_settings_reference.py
does). What each row says comes from the field:

- the meaning is its ``Field(description=...)`` (Markdown);
- the default is printed from its default, or is ``json_schema_extra={SHOWN_DEFAULT: ...}``
  where the real default is computed (``None`` prints as "unset");
- the allowed values come from its type and bounds (``ge``, ``le``, ``max_length``, ...);
- its ``examples`` become commented lines in .env.example;
- a renamed setting lists its new name first and its old ones after it in
  ``validation_alias=AliasChoices("new_name", "old_name")``: the row reads "(formerly
  ``OLD_NAME``)".
"""

from __future__ import annotations

import argparse
import enum
import json
import sys
import textwrap
import types
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Union, get_args, get_origin

import annotated_types
from pydantic import AliasChoices, TypeAdapter
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from pydantic_settings import NoDecode

from admin_api.config import ApiSettings
from bot.config import BotSettings
from bot.notifier.config import NotifierSettings
from core.config import PROJECT_ROOT, SHOWN_DEFAULT, BaseConfig, CoreSettings
from core.logs import LogSettings
from runtime.config import RuntimeSettings

SETTINGS_CLASSES: tuple[type[BaseConfig], ...] = (
    CoreSettings,
    LogSettings,
    RuntimeSettings,
    ApiSettings,
    BotSettings,
    NotifierSettings,
)
"""Every process's settings, in the reference's order; each class's docstring heads its rows."""

COMMAND = "python -m shop.settings_reference --write"
BEGIN = "<!-- settings:begin -->"
END = "<!-- settings:end -->"
GENERATED = f"<!-- Generated from the settings classes by `{COMMAND}`: edit those. -->"
ENV_HEADER = f"""\
# Copy to .env and adjust. The environment overrides this file. Every value is optional
# except where noted; the defaults run the shop offline on the embedded database.
# docker-compose.yml needs four more (README, "Production"): SHOP_DOMAIN, ACME_EMAIL,
# MONGO_INITDB_ROOT_USERNAME and MONGO_INITDB_ROOT_PASSWORD (letters and digits).
# Generated from the settings classes by `{COMMAND}`:
# edit those, not this file.
"""
WIDTH = 88


class SettingsReferenceError(SystemExit):
    """A document the reference cannot be written into; one line says why."""


@dataclass(frozen=True)
class Setting:
    """One environment variable as the reference shows it."""

    name: str
    formerly: tuple[str, ...]
    description: str
    default: str
    """Markdown for the table."""
    env_value: str | None
    """The default as .env.example spells it; ``None``: there is none to write."""
    portable: bool
    """Whether the default is the same on every installation (a path in the project is
    not): .env.example sets it, else shows it commented out."""
    allowed: str
    examples: tuple[str, ...]


def _names(name: str, field: FieldInfo) -> list[str]:
    """The variable's name, then the former names it is still read under."""
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return [choice.upper() for choice in alias.choices if isinstance(choice, str)]
    return [(alias if isinstance(alias, str) else name).upper()]


def _plain(field: FieldInfo) -> object:
    """The default as JSON would have it, paths relative to the project."""
    default = field.default
    if isinstance(default, Path) and default.is_relative_to(PROJECT_ROOT):
        return str(default.relative_to(PROJECT_ROOT))
    return TypeAdapter(field.annotation).dump_python(default, mode="json", by_alias=True)


def _spelled(value: object, comma_separated: bool) -> str:
    """``value`` as the environment spells it."""
    if comma_separated and isinstance(value, list):
        return ",".join(str(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else json.dumps(value)


def _shown(field: FieldInfo) -> str | None:
    extra = field.json_schema_extra
    shown = extra.get(SHOWN_DEFAULT) if isinstance(extra, dict) else None
    return None if shown is None else str(shown)


def _default(field: FieldInfo, spelled: str | None) -> str:
    if (shown := _shown(field)) is not None:
        return shown
    if field.default is PydanticUndefined:
        return "required"
    if spelled is None:
        return "unset"
    return f"`{spelled}`" if spelled else "empty"


def _choices(kind: object) -> list[str] | None:
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return [str(member.value) for member in kind]
    if get_origin(kind) is Literal:
        return [str(value) for value in get_args(kind)]
    if kind is bool:
        return ["true", "false"]
    return None


def _range(field: FieldInfo) -> str:
    """``ge``/``gt`` and ``le``/``lt`` in words."""
    low = high = ""
    for rule in field.metadata:
        match rule:
            case annotated_types.Ge(ge=value):
                low = f"`{value}`"
            case annotated_types.Gt(gt=value):
                low = f"over `{value}`"
            case annotated_types.Le(le=value):
                high = f"`{value}`"
            case annotated_types.Lt(lt=value):
                high = f"under `{value}`"
    inclusive_low, inclusive_high = low.startswith("`"), high.startswith("`")
    if inclusive_low and inclusive_high:
        return f"{low} to {high}"
    if inclusive_low:
        low = f"{low} or more"
    if inclusive_high:
        high = f"up to {high}"
    return ", ".join(part for part in (low, high) if part)


def _lengths(field: FieldInfo) -> str:
    """``min_length`` and ``max_length``: of a list, or of a text."""
    found = []
    for rule in field.metadata:
        match rule:
            case annotated_types.MinLen(min_length=value):
                found.append(f"at least {value}")
            case annotated_types.MaxLen(max_length=value):
                found.append(f"up to {value} characters")
    return ", ".join(found)


def _allowed(field: FieldInfo, comma_separated: bool) -> str:
    kind = field.annotation
    if get_origin(kind) in (Union, types.UnionType):
        kind = next(arg for arg in get_args(kind) if arg is not type(None))
    listed = get_origin(kind) is tuple
    if listed:
        kind = get_args(kind)[0]
    choices = _choices(kind)
    parts = [", ".join(f"`{choice}`" for choice in choices)] if choices else []
    if listed:
        parts.append("comma-separated" if comma_separated else "JSON list")
    parts += [_range(field), _lengths(field)]
    return "; ".join(part for part in parts if part)


def settings_of(settings_class: type[BaseConfig]) -> list[Setting]:
    """The variables ``settings_class`` reads, in the order it declares them."""
    found = []
    for name, field in settings_class.model_fields.items():
        if not field.description:
            where = f"{settings_class.__name__}.{name}"
            raise SettingsReferenceError(f"{where} has no Field(description=...)")
        names = _names(name, field)
        comma_separated = NoDecode in field.metadata
        has_value = field.default is not None and field.default is not PydanticUndefined
        spelled = _spelled(_plain(field), comma_separated) if has_value else None
        found.append(
            Setting(
                name=names[0],
                formerly=tuple(names[1:]),
                description=" ".join(field.description.split()),
                default=_default(field, spelled),
                env_value=spelled,
                portable=not isinstance(field.default, Path),
                allowed=_allowed(field, comma_separated),
                examples=tuple(str(example) for example in field.examples or ()),
            )
        )
    return found


def _title(settings_class: type[BaseConfig]) -> str:
    if not settings_class.__doc__:
        raise SettingsReferenceError(f"{settings_class.__name__} has no docstring to head its rows")
    return settings_class.__doc__.strip().splitlines()[0].rstrip(".")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_table(classes: Sequence[type[BaseConfig]] = SETTINGS_CLASSES) -> str:
    """The Markdown table: a bold row naming each class's part, then its variables."""
    lines = ["| Variable | Default | Allowed | Meaning |", "| --- | --- | --- | --- |"]
    for settings_class in classes:
        lines.append(f"| **{_cell(_title(settings_class))}** | | | |")
        for setting in settings_of(settings_class):
            formerly = ", ".join(f"`{name}`" for name in setting.formerly)
            variable = f"`{setting.name}`" + (f" (formerly {formerly})" if formerly else "")
            cells = (variable, setting.default, setting.allowed, setting.description)
            lines.append(f"| {' | '.join(_cell(cell) for cell in cells)} |")
    return "\n".join(lines) + "\n"


def _comment(text: str) -> list[str]:
    plain = text.replace("`", "").replace("**", "")
    return textwrap.wrap(
        plain,
        WIDTH,
        initial_indent="# ",
        subsequent_indent="# ",
        break_long_words=False,
        break_on_hyphens=False,
    )


def _assignment(name: str, value: str) -> str:
    """``NAME=value``, quoted where a shell or dotenv would read the value otherwise."""
    if all(char.isalnum() or char in "_-.,:/@*+[]" for char in value):
        return f"{name}={value}"
    if "'" in value:
        raise SettingsReferenceError(f"{name}: cannot quote {value!r} for .env.example")
    return f"{name}='{value}'"


def render_env_example(classes: Sequence[type[BaseConfig]] = SETTINGS_CLASSES) -> str:
    """.env.example: every variable with its description, set to its default where it has
    one that does not depend on the installation, else commented out."""
    lines = [ENV_HEADER.rstrip("\n")]
    for settings_class in classes:
        lines += ["", f"# --- {_title(settings_class)} ".ljust(WIDTH, "-")]
        for setting in settings_of(settings_class):
            text = setting.description
            if setting.allowed:
                text += f" Allowed: {setting.allowed}."
            if setting.env_value is None and setting.default != "unset":
                text += f" Default: {setting.default}."
            if setting.formerly:
                text += f" Formerly {', '.join(setting.formerly)} (still read)."
            lines += ["", *_comment(text)]
            if setting.env_value is not None:
                line = _assignment(setting.name, setting.env_value)
                lines.append(line if setting.portable else f"# {line}")
            elif not setting.examples:
                lines.append(f"# {setting.name}=")
            lines += [f"# {_assignment(setting.name, example)}" for example in setting.examples]
    return "\n".join(lines) + "\n"


def with_table(readme: str, table: str) -> str:
    """``readme`` with the text between the markers replaced by ``table``."""
    if readme.count(BEGIN) != 1 or readme.count(END) != 1 or readme.find(END) < readme.find(BEGIN):
        raise SettingsReferenceError(f"README.md needs exactly one {BEGIN} followed by one {END}")
    head, rest = readme.split(BEGIN)
    tail = rest.split(END)[1]
    return f"{head}{BEGIN}\n{GENERATED}\n\n{table}{END}{tail}"


def expected(root: Path = PROJECT_ROOT) -> dict[Path, str]:
    """Each generated document under ``root`` as the settings classes say it should read."""
    readme = root / "README.md"
    return {
        readme: with_table(readme.read_text(), render_table()),
        root / ".env.example": render_env_example(),
    }


def stale(root: Path = PROJECT_ROOT) -> list[Path]:
    """The generated documents that disagree with the settings classes."""
    return [
        path
        for path, text in expected(root).items()
        if not path.exists() or path.read_text() != text
    ]


def write(root: Path = PROJECT_ROOT) -> list[Path]:
    """Bring the generated documents up to date; the ones changed."""
    changed = stale(root)
    for path, text in expected(root).items():
        if path in changed:
            path.write_text(text)
    return changed


def main(argv: Sequence[str] | None = None, root: Path = PROJECT_ROOT) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shop.settings_reference",
        description="Print the settings table, or bring README.md's table and .env.example "
        "up to date with the settings classes.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="rewrite README.md and .env.example")
    mode.add_argument("--check", action="store_true", help="exit 1 if either is out of date")
    args = parser.parse_args(argv)
    if args.write:
        for path in write(root):
            print(f"updated {path.relative_to(root)}")
    elif args.check:
        if outdated := stale(root):
            names = ", ".join(str(path.relative_to(root)) for path in outdated)
            print(f"{names} disagree with the settings classes; run: {COMMAND}", file=sys.stderr)
            return 1
    else:
        print(render_table(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
