"""Every command, setting and link the README, LISEZMOI and the set-up and platform guides show exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from bot.cli import build_parser
from bot.settings import Settings
from core.commands import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
FRONT = ["README.md", "LISEZMOI.md"]
GUIDES = [
    "docs/install.md",
    "docs/telegram.md",
    "docs/discord.md",
    "docs/matrix.md",
    "docs/finetuning.md",
    "docs/benchmarks.md",
]

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
SPAN = re.compile(r"`([^`\n]+)`")
SOUVENIR = re.compile(r"(?<![\w/.>-])souvenir\s+([a-z][a-z-]*)((?:\s+[^|;`]*)?)")
MAKE = re.compile(r"(?<![\w/.-])make\s+([a-z][a-z-]*)((?:\s+[A-Z_]+=\S*)*)")
BENCH = re.compile(r"python -m (bench\.[a-z_]+)\b([^|;`#]*)")
SETTING = re.compile(r"\bSOUVENIR_[A-Z0-9_]*[A-Z0-9]")
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
LINK = re.compile(r"\]\(([^)\s]+)\)")
OTHER_BOTS = {"newbot"}  # BotFather's command, shown in the Telegram guide


def snippets(path: str) -> list[str]:
    """The shell lines of a page (sh/bash blocks, comments dropped) and its inline code, `\\|` unescaped."""
    text = (ROOT / path).read_text()
    found: list[str] = []
    for language, body in FENCE.findall(text):
        if language in ("sh", "bash", "shell", ""):
            found += [re.sub(r"\s#\s.*$", "", line) for line in body.splitlines()]
    outside = FENCE.sub("", text)
    found += [span.replace("\\|", "|") for span in SPAN.findall(outside)]
    return found


def settings_names() -> set[str]:
    """Every environment variable the settings model reads."""
    names: set[str] = set()

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            kind = field.annotation
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                walk(kind, f"{prefix}{name.upper()}__")
            else:
                names.add(f"{prefix}{name.upper()}")

    walk(Settings, "SOUVENIR_")
    return names


def make_targets_and_variables() -> tuple[set[str], set[str]]:
    """The Makefile's targets and the variables a user may set on the command line."""
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    variables = set(re.findall(r"^([A-Z_]+) \?=", makefile, re.M))
    return targets, variables


def subcommands() -> dict[str, set[str]]:
    """`souvenir` subcommands and the options each accepts."""
    parser = build_parser()
    action = next(a for a in parser._actions if a.choices and "run" in a.choices)
    return {
        name: {opt for a in sub._actions for opt in a.option_strings} for name, sub in action.choices.items()
    }


def mentioned(path: str) -> dict[str, set[str]]:
    """What a page shows: `souvenir` subcommands, make targets, bench modules, settings."""
    found: dict[str, set[str]] = {"souvenir": set(), "make": set(), "bench": set(), "settings": set()}
    for snippet in snippets(path):
        found["souvenir"] |= {m.group(1) for m in SOUVENIR.finditer(snippet)}
        found["make"] |= {m.group(1) for m in MAKE.finditer(snippet)}
        found["bench"] |= {m.group(1) for m in BENCH.finditer(snippet)}
        found["settings"] |= set(SETTING.findall(snippet))
    return found


@pytest.mark.parametrize("path", FRONT + GUIDES)
def test_every_souvenir_command_and_option_shown_exists(path):
    known = subcommands()
    checked = 0
    for snippet in snippets(path):
        for match in SOUVENIR.finditer(snippet):
            name, rest = match.group(1), match.group(2)
            assert name in known, f"{path}: `souvenir {name}` is not a subcommand ({snippet!r})"
            for flag in FLAG.findall(rest):
                assert flag in known[name], f"{path}: `souvenir {name}` has no {flag} ({snippet!r})"
            checked += 1
    assert checked or path not in FRONT, f"{path} shows no souvenir command at all"


@pytest.mark.parametrize("path", FRONT + GUIDES)
def test_every_make_command_and_bench_module_shown_exists(path):
    targets, variables = make_targets_and_variables()
    for snippet in snippets(path):
        for match in MAKE.finditer(snippet):
            assert match.group(1) in targets, f"{path}: no make target {match.group(1)!r} ({snippet!r})"
            for variable in re.findall(r"([A-Z_]+)=", match.group(2)):
                assert variable in variables, f"{path}: the Makefile reads no {variable} ({snippet!r})"
        for match in BENCH.finditer(snippet):
            module = ROOT / (match.group(1).replace(".", "/") + ".py")
            assert module.is_file(), f"{path}: no module {match.group(1)}"
            for flag in FLAG.findall(match.group(2)):
                assert f'"{flag}"' in module.read_text(), f"{path}: {match.group(1)} has no {flag}"


@pytest.mark.parametrize("path", FRONT + GUIDES)
def test_every_setting_shown_is_read_by_the_settings_model(path):
    known = settings_names()
    shown = {name for snippet in snippets(path) for name in SETTING.findall(snippet)}
    assert shown <= known, f"{path} shows settings Souvenir does not read: {sorted(shown - known)}"


@pytest.mark.parametrize("path", FRONT + GUIDES)
def test_every_chat_command_shown_exists(path):
    for snippet in snippets(path):
        match = re.match(r"^[/!]([a-z]+)(?:@\w+)?(?:\s|$)", snippet)
        if match and match.group(1) not in OTHER_BOTS:
            assert REGISTRY.find(match.group(1)), f"{path}: no chat command {match.group(1)!r} ({snippet!r})"


def test_discord_slash_options_are_named_as_discord_shows_them():
    """`/correct wrong right`: each word after a slash command is the name of one of its options."""
    checked = 0
    for snippet in snippets("docs/discord.md"):
        match = re.fullmatch(r"/([a-z]+)((?: \[?[a-z]+\]?)*)", snippet)
        if not match:
            continue
        command = REGISTRY.find(match.group(1))
        assert command is not None, snippet
        options = {a.key for a in command.arguments}
        for word in match.group(2).split():
            assert word.strip("[]") in options, f"/{command.name} has no option {word!r}: {sorted(options)}"
            checked += 1
    assert checked >= 5, "docs/discord.md names the slash commands' options"


@pytest.mark.parametrize("path", FRONT + GUIDES)
def test_every_relative_link_points_at_a_file(path):
    for target in LINK.findall((ROOT / path).read_text()):
        if re.match(r"^[a-z]+:|^#", target):
            continue
        assert (ROOT / path).parent.joinpath(target.split("#")[0]).exists(), f"{path}: broken link {target}"


def test_lisezmoi_shows_the_same_commands_and_settings_as_the_readme():
    assert mentioned("LISEZMOI.md") == mentioned("README.md")


def test_the_front_door_stays_short():
    assert len((ROOT / "README.md").read_bytes()) <= 12 * 1024
    assert len((ROOT / "LISEZMOI.md").read_bytes()) <= 14 * 1024  # French runs about 10% longer


def test_env_example_lists_every_setting():
    listed = set(SETTING.findall((ROOT / ".env.example").read_text()))
    assert settings_names() <= listed, f".env.example lacks {sorted(settings_names() - listed)}"
