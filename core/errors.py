"""The one exception family whose messages are meant for users (translated at the edge)."""

from __future__ import annotations


class UserError(Exception):
    """An error the user caused or can act on; `key` names its message in core.i18n."""

    key = "error.generic"

    def __init__(self, key: str | None = None, **params: object) -> None:
        self.key = key or self.key
        self.params = params
        super().__init__(f"{self.key} {params}")


class BadInput(UserError):
    """The request itself is malformed (empty text, bad id, bad syntax)."""

    key = "error.bad_input"


class UnsupportedFile(UserError):
    """A file whose type Souvenir cannot read."""

    key = "error.unsupported_file"


class CorruptFile(UserError):
    """A file of a supported type that could not be parsed."""

    key = "error.corrupt_file"


class FileTooLarge(UserError):
    """A file above the upload limit."""

    key = "error.file_too_large"


class UnknownMemory(UserError):
    """An id that does not name a memory of the caller's scope."""

    key = "error.unknown_memory"


class UnknownDocument(UserError):
    """A `doc N` that does not name a document of the caller's scope."""

    key = "error.unknown_document"


class AlreadyForgotten(UnknownMemory):
    """A memory number that named a memory of the caller's scope, forgotten since (or just now)."""

    key = "error.already_forgotten"


class DocumentAlreadyForgotten(UnknownDocument):
    """A `doc N` that named a document of the caller's scope, forgotten since (or just now)."""

    key = "error.document_already_forgotten"


class LimitReached(UserError):
    """A scope that is full."""

    key = "error.limit_reached"


class DiskFull(UserError):
    """The server's disk (the data directory's) is full: a write was refused and nothing was stored."""

    key = "error.disk_full"


class LLMUnavailable(UserError):
    """Ollama cannot be reached."""

    key = "error.llm_unreachable"


class LLMTimeout(LLMUnavailable):
    """Ollama stayed silent longer than the configured timeout."""

    key = "error.llm_timeout"


class LLMFailed(LLMUnavailable):
    """Ollama answered with an error of its own (a 5xx, or an error line mid-answer)."""

    key = "error.llm_failed"


class LLMOutOfMemory(LLMFailed):
    """Ollama could not load the model: not enough memory."""

    key = "error.llm_out_of_memory"


class LLMBadReply(LLMUnavailable):
    """Something that is not Ollama answered at its address (an HTML page from a proxy)."""

    key = "error.llm_bad_reply"


class LLMCut(LLMUnavailable):
    """The answer stopped half way: the connection closed before Ollama said it was done."""

    key = "error.llm_cut"


class LLMKeyRefused(LLMUnavailable):
    """The model server refused Souvenir's access key (HTTP 401/403): its setting, not the question."""

    key = "error.llm_key"


class LLMEmptyAnswer(LLMUnavailable):
    """The model finished without a word (small models do): nothing to show but memories."""

    key = "error.llm_empty"


class ModelMissing(UserError):
    """Ollama is reachable but the model is not pulled."""

    key = "error.model_missing"


class NotAllowed(UserError):
    """The caller may not do this (admins only)."""

    key = "error.not_allowed"


class AudioTooLong(UserError):
    """A voice note over the duration limit."""

    key = "error.audio_too_long"


class NothingRead(UserError):
    """A photo, voice note or page in which no text was found."""

    key = "error.nothing_read"


class FeatureOff(UserError):
    """An optional engine (OCR, speech, web pages) that is not installed or is switched off."""

    key = "error.feature_off"


class PageRefused(UserError):
    """A link that is not fetched or not read; `key` names the reason (web.*)."""

    key = "web.unreachable"
