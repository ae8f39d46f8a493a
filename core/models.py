"""Plain data shared by the core and the adapters."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """What a memory is; decides its default importance and how it is exported."""

    DOCUMENT = "document"
    TEACHING = "teaching"
    CORRECTION = "correction"
    CONVERSATION = "conversation"
    FACT = "fact"


@dataclass(slots=True)
class NewMemory:
    """A memory about to be written (no id yet)."""

    text: str
    kind: Kind
    importance: float
    tags: list[str] = field(default_factory=list)
    source: str = ""
    author: str = ""
    metadata: dict = field(default_factory=dict)


@dataclass(kw_only=True)
class Memory(NewMemory):
    """One stored memory of one scope: what was written, with what the store gave it."""

    id: int
    scope: str
    created_at: float = 0.0
    superseded_by: int | None = None
    document_id: int | None = None
    number: int = 0
    """What users see and type (#3): counted within the scope, unlike `id`."""


@dataclass
class SearchHit:
    """A retrieved memory with its fused score and, when it has one, the correction that amends it."""

    memory: Memory
    score: float
    dense_rank: int | None = None
    keyword_rank: int | None = None
    dense_score: float | None = None
    corrected_by: list[Memory] = field(default_factory=list)
    updated_by: list[Memory] = field(default_factory=list)
    """Newer statements on the same subject (memory from conversation): they rank ahead of this one."""


@dataclass(frozen=True, slots=True)
class KeywordHit:
    """A keyword-index match: memory id, BM25 score (higher is better) and the indexed text."""

    id: int
    score: float
    text: str


@dataclass
class Document:
    """An ingested file."""

    id: int
    scope: str
    name: str
    sha256: str
    size: int
    chunks: int
    created_at: float
    number: int = 0
    """What users see and type (`doc 2`): counted within the scope."""


@dataclass
class Interaction:
    """One logged exchange: what was asked, what was answered, from which memories."""

    id: int
    scope: str
    chat_key: str
    author: str
    input: str
    output: str
    memory_ids: list[int]
    model: str
    latency_ms: float
    created_at: float


@dataclass
class IngestReport:
    """What one ingestion produced."""

    name: str
    memory_ids: list[int]
    document_id: int | None
    duplicate_of: int | None = None
    document_number: int | None = None
    """The document as the scope's users call it (`doc 2`)."""

    @property
    def count(self) -> int:
        """Number of memories created."""
        return len(self.memory_ids)


class AttachmentKind(StrEnum):
    """What an attachment is, in platform-neutral words."""

    DOCUMENT = "document"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"  # only its sound is used: transcribed like a voice note


@dataclass
class Attachment:
    """A file attached to a message; `fetch` downloads it only after the size and type checks.

    `kind` is what the platform says it is (a Telegram photo or voice note); None lets the core
    judge from `mime` (its media type when the platform gives one) and the name's extension.
    `name` is empty when the platform gives none; `duration` is the length in seconds the platform
    reports for audio or video, checked before any download.
    """

    name: str
    size: int | None
    fetch: Callable[[], Awaitable[bytes]]
    mime: str | None = None
    kind: AttachmentKind | None = None
    duration: float | None = None


@dataclass
class Incoming:
    """A platform-neutral request built by an adapter: what was said, and neutral facts about it.

    `scope` is the memory scope this request reads and writes (see core.scope);
    `chat_key` identifies the conversation for short-term turns, /why, /model and /reset;
    `user` is the sender as `platform:user_id`, the form used by the allowlist.
    `text` is what the user wrote (a command included, the bot's mention removed); `command` and
    `args` are set only by platforms that deliver commands already parsed (Discord slash commands).
    The facts (`is_group`, `mentions_bot`, `replies_to_bot`, `attachments`, `language`) let the
    core alone decide whether the message is for the bot. `prefix` is how the platform writes a
    command (`/`, `!`, or nothing on the console); `can_reply_privately` is true where a reply can
    be shown to the sender only (a Discord interaction). `undecryptable` marks an encrypted message
    the bot could not read (Matrix); `on_this_machine` marks a sender at this machine's terminal,
    whose file arguments name local paths (the console).
    """

    platform: str
    user_id: str
    scope: str
    chat_key: str
    text: str = ""
    command: str | None = None
    args: str = ""
    is_group: bool = False
    language: str | None = None
    display_name: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    mentions_bot: bool = False
    replies_to_bot: bool = False
    prefix: str = "/"
    can_reply_privately: bool = False
    undecryptable: bool = False
    on_this_machine: bool = False

    @property
    def user(self) -> str:
        """The sender as `platform:user_id`."""
        return f"{self.platform}:{self.user_id}"


@dataclass
class OutgoingFile:
    """A file the adapter should send (an export)."""

    name: str
    data: bytes
    caption: str = ""
    memories: int = 0
    """How many memories it holds (for a caption in the reader's language)."""


class Notice(str):
    """A snapshot that stands in for an answer still to come (a place in the queue): shown as it is,
    never trimmed by a platform's preview, and replaced by the first snapshot of the answer."""


@dataclass
class Acknowledgement:
    """A discreet sign that the user's message became a memory: `emoji` as a reaction on that message,
    or `line` (a short text) where the platform has no reactions or refused one. Both empty: no sign."""

    emoji: str = ""
    line: str = ""


@dataclass
class Reply:
    """What the core answers.

    Either `text` alone, or `updates`: an async iterator of *snapshots* (each item is the whole
    text so far, not a delta) that the adapter renders by editing one message, throttled; the
    last snapshot is the final text. `file` is sent after the text. `private` marks replies that
    show memory contents: platforms that can (Discord) show them to the caller only.
    `acknowledgement` may be filled while `updates` stream (a statement is stored once its exchange
    is logged): the render loop reads it after the last snapshot. A copy made with
    `dataclasses.replace` shares it.
    """

    text: str = ""
    updates: AsyncIterator[str] | None = None
    file: OutgoingFile | None = None
    private: bool = False
    acknowledgement: Acknowledgement = field(default_factory=Acknowledgement)

    async def final_text(self) -> str:
        """Drain `updates` (if any) and return the final text."""
        if self.updates is None:
            return self.text
        last = self.text
        async for snapshot in self.updates:
            last = snapshot
        return last
