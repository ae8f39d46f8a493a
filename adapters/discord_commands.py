"""The core's declared commands as Discord slash commands: their options, French names and descriptions."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Optional

import discord
from discord import app_commands

from core.commands import Command, folded, pick

log = logging.getLogger(__name__)

DESCRIPTION_LIMIT = 100
OnCommand = Callable[[discord.Interaction, Command, dict[str, Any]], Awaitable[None]]


class DeclaredTranslator(app_commands.Translator):
    """Gives the French descriptions declared in the core's command registry."""

    def __init__(self, french: dict[str, str]) -> None:
        super().__init__()
        self._french = french

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContext,
    ) -> str | None:
        """The French text for a description, None for other locales or strings."""
        if not locale.value.startswith("fr"):
            return None
        return self._french.get(string.extras.get("key", ""))


def declare(tree: app_commands.CommandTree, commands: Iterable[Command], on_command: OnCommand) -> dict[str, str]:
    """One slash command per declared command; returns the French texts by translation key (its name
    as `name_localizations` for `fr`, its description and its options' descriptions)."""
    french: dict[str, str] = {}
    for command in commands:
        french[command.name] = pick(command.help, "fr")[:DESCRIPTION_LIMIT]
        french[f"{command.name}#name"] = folded(command.name_in("fr"))
        for argument in command.arguments:
            french[f"{command.name}.{argument.key}"] = pick(argument.help, "fr")[:DESCRIPTION_LIMIT]
        description = app_commands.locale_str(command.describe("en")[:DESCRIPTION_LIMIT], key=command.name)
        tree.add_command(
            app_commands.Command(
                name=app_commands.locale_str(command.name, key=f"{command.name}#name"),
                description=description,
                callback=_callback(command, on_command),
            )
        )
    return french


def _callback(command: Command, on_command: OnCommand) -> Callable[..., Awaitable[None]]:
    """A slash callback whose options are the command's declared arguments (required ones required)."""

    async def callback(interaction: discord.Interaction, **values: Any) -> None:
        await on_command(interaction, command, values)

    parameters = [
        inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction)
    ]
    for argument in command.arguments:
        kind = discord.Attachment if argument.file else str
        parameters.append(
            inspect.Parameter(
                argument.key,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=kind if argument.required else Optional[kind],  # noqa: UP045 (discord.py reads it)
                default=inspect.Parameter.empty if argument.required else None,
            )
        )
    callback.__signature__ = inspect.Signature(parameters)
    callback.__discord_app_commands_param_description__ = {
        a.key: app_commands.locale_str(pick(a.help, "en")[:DESCRIPTION_LIMIT], key=f"{command.name}.{a.key}")
        for a in command.arguments
    }
    return callback


async def publish(tree: app_commands.CommandTree, client: discord.Client, *, everywhere: bool) -> None:
    """Register the commands once: globally when `everywhere`, else in each guild (immediate)."""
    if everywhere:
        await tree.sync()
        return
    for guild in client.guilds:
        tree.copy_global_to(guild=guild)
        try:
            await tree.sync(guild=guild)
        except discord.HTTPException as error:
            log.warning("could not sync commands in guild %s: %s", guild.id, error.status)
