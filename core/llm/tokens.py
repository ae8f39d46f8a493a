"""A pessimistic token count, so a prompt budgeted with it fits the model's real context."""

from __future__ import annotations

import re

# ASCII letters in pieces of three; every digit, ASCII symbol and accented letter one token; any other
# character one token per UTF-8 byte (emoji, arrows: byte-level BPE splits them); and a space one
# token unless it leads a word. Measured against the real SmolLM2 tokenizer in docs/ollama.md: never
# fewer tokens than it on prose, digits, code, short words or emoji.
_PIECE = re.compile(r"[A-Za-z]+|\d|\s+|[^\sA-Za-z\d]")
MESSAGE_OVERHEAD = 8  # role markers a chat template wraps around each message


def _cost(piece: str, following: str) -> int:
    first = piece[0]
    if first.isascii() and first.isalpha():
        return -(-len(piece) // 3)
    if first.isspace():
        if piece == " " and following.isascii() and following.isalpha():
            return 0  # the space is part of the next word's token
        return len(piece)
    if first.isascii() or first.isalpha():
        return 1
    return len(first.encode("utf-8"))


def estimate_tokens(text: str) -> int:
    """An upper estimate of the tokens `text` takes."""
    count = 0
    for match in _PIECE.finditer(text):
        end = match.end()
        count += _cost(match.group(), text[end : end + 1])
    return count


def message_tokens(content: str) -> int:
    """The estimated cost of one chat message, template included."""
    return estimate_tokens(content) + MESSAGE_OVERHEAD


def cut_to_tokens(text: str, budget: int) -> str:
    """The longest start of `text` whose estimate stays within `budget` tokens."""
    if estimate_tokens(text) <= budget:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if estimate_tokens(text[:middle]) <= budget:
            low = middle
        else:
            high = middle - 1
    return text[:low]
