"""The registry is the only place a command exists: words in every language, spoken words, flags, dispatch."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from core.assistant import Assistant
from core.commands import REGISTRY, Call, Command, Registry, command
from core.i18n import Translator
from core.models import Incoming, Reply
from core.spoken import command_words, heard_command


@command("ping", "Answer pong", "Répondre pong", names={"fr": "écho"}, aliases=("pong",), spoken=("ping",))
async def ping(call: Call) -> Reply:
    return Reply(text=f"pong {call.args} ({call.lang})")


WITH_PING = Registry((*REGISTRY.commands, ping))


def test_words_are_found_with_or_without_accents_and_in_any_case():
    assert WITH_PING.find("écho") is ping and WITH_PING.find("ECHO") is ping and WITH_PING.find("Écho") is ping
    assert WITH_PING.find("pong") is ping
    assert ping.name_in("fr") == "écho" and ping.name_in("en") == "ping" and ping.name_in(None) == "ping"
    assert REGISTRY.find("Langue").name == "language"


def test_two_commands_cannot_answer_to_the_same_word():
    clash = Command("other", {"en": "x", "fr": "y"}, ping.handler, aliases=("ECHO",))
    with pytest.raises(ValueError, match="ECHO"):
        Registry((ping, clash))


def test_destructive_and_private_commands_are_declared_so():
    assert {c.name for c in REGISTRY.commands if c.destructive} == {"forget", "reset"}
    assert {c.name for c in REGISTRY.commands if c.lists_memory} == {"remember", "why", "status", "export"}
    assert [c.name for c in REGISTRY.commands if c.plain_text] == ["talk"]


def test_spoken_words_come_from_the_declarations():
    assert heard_command("Retiens. La clé est sous le pot.")[0].name == "teach"
    assert heard_command("Oublie: 12")[0].name == "forget"
    assert heard_command("Why?")[0].name == "why", "any name is heard too"
    assert heard_command("Pourquoi le ciel est bleu ?")[0] is None
    assert heard_command("ping, hello", WITH_PING)[0] is ping
    assert set(command_words().split(", ")) >= {"teach", "retiens", "apprends", "corrige", "oublie"}


class _Chats:
    async def language_of(self, chat_key: str) -> str | None:
        return None


class _Access:
    def __init__(self, allowed: bool) -> None:
        self.allowed = allowed
        self.asked = 0

    async def is_allowed(self, user: str) -> bool:
        self.asked += 1
        return self.allowed

    async def may_use(self, user: str, scope: str, *, is_group: bool) -> bool:
        return await self.is_allowed(user)

    def is_ignored(self, user: str) -> bool:
        return False


def _assistant(access: _Access) -> Assistant:
    memory = SimpleNamespace(store=SimpleNamespace(interactions=None))  # the handlers here use no memory
    return Assistant(memory, _Chats(), access, None, Translator(default="fr"), registry=WITH_PING)


@pytest.mark.parametrize("text", ["/ping a", "/écho a", "/ECHO a", "/pong a"])
async def test_a_declared_command_is_dispatched_with_no_other_change(text):
    access = _Access(allowed=True)
    reply = await _assistant(access).handle(Incoming("telegram", "1", "s", "c", text=text))
    assert reply.text == "pong a (fr)"
    assert access.asked == 1, "access is checked once per request"


async def test_a_declared_command_is_refused_like_any_other():
    reply = await _assistant(_Access(allowed=False)).handle(Incoming("telegram", "1", "s", "c", text="/ping"))
    assert "pong" not in reply.text and reply.private
    group = Incoming("telegram", "1", "s", "c", text="/ping", is_group=True)
    assert (await _assistant(_Access(allowed=False)).handle(group)).text
