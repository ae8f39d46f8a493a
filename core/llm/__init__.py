"""Chat models: the interface, the Ollama implementation and a test double."""

from core.llm.base import ChatMessage, ChatModel

__all__ = ["ChatMessage", "ChatModel"]
