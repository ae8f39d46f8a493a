"""Reading the arguments of the commands that take more than free text."""

from __future__ import annotations

import re

from core.errors import BadInput

_PAGE = re.compile(r"(?:^|\s)page\s+(\d+)\s*$", re.IGNORECASE)
_MEMORY = re.compile(r"^#?(\d+)$")
_DOCUMENT = re.compile(r"^#?doc(?:ument)?\s*#?(\d+)$", re.IGNORECASE)
_ARROW = re.compile(r"\s*(?:\||->|→|=>|⇒)\s*")
_BY = re.compile(r"\s+par\s+", re.IGNORECASE)


def parse_correction(args: str) -> tuple[str, str]:
    """`WRONG -> RIGHT` (or `→`, `=>`, `|`, or `WRONG par RIGHT`) → (wrong, right).

    A phone keyboard has the arrow's characters and the word at hand, where `|` is two symbol pages
    away. "par" splits only when it appears once: `refait par Paul en 2015 par …` needs an arrow.
    """
    parts = _ARROW.split(args, maxsplit=1)
    if len(parts) != 2:
        parts = _BY.split(args)
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        raise BadInput(key="correct.usage")
    return parts[0].strip(), parts[1].strip()


def parse_forget(args: str) -> tuple[bool, int]:
    """`12` or `#12` → (False, 12); `doc 3` → (True, 3)."""
    text = args.strip()
    if match := _MEMORY.match(text):
        return False, int(match.group(1))
    if match := _DOCUMENT.match(text):
        return True, int(match.group(1))
    raise BadInput(key="forget.usage")


def correction_target(wrong: str) -> int | None:
    """The memory number a correction names (`#12`, as remember shows it), or None when WRONG is text."""
    match = re.fullmatch(r"#(\d+)", wrong.strip())
    return int(match.group(1)) if match else None


def parse_page(args: str) -> tuple[str, int]:
    """`QUERY page N` → (query, N); page defaults to 1."""
    match = _PAGE.search(args)
    if not match:
        return args.strip(), 1
    return args[: match.start()].strip(), max(1, int(match.group(1)))
