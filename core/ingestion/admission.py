"""Whether an upload may go in: the one place for its shown name, its type and its size."""

from __future__ import annotations

from core.errors import FileTooLarge
from core.ingestion.parsers import check_supported
from core.text import file_display_name


def check_size(name: str, size: int | None, limit: int) -> None:
    """Raise FileTooLarge when a known `size` is above `limit`."""
    if size is not None and size > limit:
        raise FileTooLarge(name=name, size=size, limit=limit)


def admit(name: str, size: int | None, limit: int, *, parse_as: str | None = None) -> str:
    """The name to show for an upload; UnsupportedFile or FileTooLarge when it cannot go in.

    `parse_as` names the format when `name` is not a file name (a photo's or a page's text): the name
    is then kept as given.
    """
    shown = name if parse_as is not None else file_display_name(name)
    check_supported(parse_as or shown)
    check_size(shown, size, limit)
    return shown
