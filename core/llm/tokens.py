"""A pessimistic token count, so a prompt budgeted with it fits the model's real context."""

from __future__ import annotations

import re

# ASCII letters in pieces of three, and every digit, symbol, non-ASCII letter and newline on its own:
# more tokens than the BPE tokenizers of Llama, Qwen, Gemma or SmolLM produce for the same text.
_PIECE = re.compile(r"[A-Za-z]+|\d|\n|[^\sA-Za-z\d]")
MESSAGE_OVERHEAD = 8  # role markers a chat template wraps around each message


def estimate_tokens(text: str) -> int:
    """An upper estimate of the tokens `text` takes."""
    count = 0
    for match in _PIECE.finditer(text):
        piece = match.group()
        count += -(-len(piece) // 3) if piece[0].isascii() and piece[0].isalpha() else 1
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
