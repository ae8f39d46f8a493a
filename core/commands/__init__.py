"""The commands: each declared once beside its handler; dispatch, help, menus and slash commands read the registry.

To add a command, declare it with `@command(...)` in the module of its purpose (basics, memory,
inspection, chat) and add its messages to the topic module of core/i18n/messages/ (`EN` and `FR`):
nothing else names it.
"""

from __future__ import annotations

from core.commands import access, basics, chat, inspection, memory
from core.commands.call import Call, Exporter, Services
from core.commands.declaration import Argument, Command, Text, argument, command, pick
from core.commands.parsing import correction_target, parse_correction, parse_forget, parse_page
from core.commands.registry import PLATFORM_PREFIXES, Registry, folded

REGISTRY = Registry.of_modules(basics, memory, inspection, chat, access)
"""Every command, in the order help and menus show them."""


def markdown_table(registry: Registry = REGISTRY) -> str:
    """The command table of docs/commands.md."""
    return registry.markdown_table()


__all__ = [
    "PLATFORM_PREFIXES",
    "REGISTRY",
    "Argument",
    "Call",
    "Command",
    "Exporter",
    "Registry",
    "Services",
    "Text",
    "argument",
    "command",
    "correction_target",
    "folded",
    "markdown_table",
    "parse_correction",
    "parse_forget",
    "parse_page",
    "pick",
]
