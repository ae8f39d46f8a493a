"""The core decides from neutral facts what adapters used to decide: notices, silence, privacy, local files."""

from __future__ import annotations

from types import SimpleNamespace

from core.assistant import Assistant
from core.i18n import Translator
from core.models import Attachment, Incoming


class _Chats:
    """Chat settings: the chat `matrix:room:fr` chose French."""

    async def language_of(self, chat_key: str) -> str | None:
        return "fr" if chat_key.endswith(":fr") else None


class _Access:
    def __init__(self, allowed: bool = True) -> None:
        self.allowed = allowed

    async def may_use(self, user: str, scope: str, *, is_group: bool) -> bool:
        return self.allowed

    def is_ignored(self, user: str) -> bool:
        return False


def _assistant(allowed: bool = True) -> Assistant:
    memory = SimpleNamespace(store=SimpleNamespace(interactions=None))
    return Assistant(memory, _Chats(), _Access(allowed), None, Translator(default="en"))


def _matrix(**facts) -> Incoming:
    return Incoming("matrix", "@ann:hs", "matrix:user:@ann:hs", "matrix:room:fr", **{"prefix": "!", **facts})


async def test_an_undecryptable_message_gets_a_notice_in_the_chats_language_in_a_direct_chat_only():
    reply = await _assistant().handle(_matrix(undecryptable=True))
    assert reply.text.startswith("🔒 Je n’ai pas pu déchiffrer")
    assert await _assistant().handle(_matrix(undecryptable=True, is_group=True)) is None
    # Even for someone without access: they must know to send it again.
    assert (await _assistant(allowed=False).handle(_matrix(undecryptable=True))).text.startswith("🔒")


async def test_an_empty_message_is_for_no_one():
    assert await _assistant().decide(_matrix(text="  ")) is None
    assert await _assistant().decide(_matrix(text="", is_group=True, mentions_bot=True)) is None
    assert await _assistant().decide(_matrix(text="hello")) is not None


async def test_privacy_is_decided_once_before_any_work_from_neutral_facts():
    group = {"is_group": True, "prefix": "/"}
    decide = _assistant().decide
    assert (await decide(_matrix(text="/remember", **group))).private is True
    assert (await decide(_matrix(text="/help", **group))).private is False
    assert (await decide(_matrix(text="/start 123456", **group))).private is True, "a pairing code"
    assert (await decide(_matrix(text="/remember"))).private is False, "a direct chat is private already"
    refused = await _assistant(allowed=False).decide(_matrix(text="/help", **group))
    assert refused.private is True and refused.allowed is False


async def test_a_file_named_on_this_machine_is_checked_by_the_core(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("hello")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    console = {"on_this_machine": True, "prefix": ""}
    missing = await _assistant().handle(Incoming("console", "local", "s", "c", text=f"ingest {tmp_path}/nope.txt", **console))
    assert missing.text == f"❌ {tmp_path}/nope.txt: no such file."
    linked = await _assistant().handle(Incoming("console", "local", "s", "c", text=f"ingest {link}", **console))
    assert "symbolic link" in linked.text
    # Elsewhere the same words are not a path on this machine: no file is read.
    remote = Incoming("telegram", "1", "s", "c", text=f"/ingest {target}")
    assert "ingest URL" in (await _assistant().handle(remote)).text
    attachment = _assistant().intake.local_file(str(target))
    assert isinstance(attachment, Attachment) and attachment.size == 5 and await attachment.fetch() == b"hello"
