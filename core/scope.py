"""Scope ids: who a memory belongs to (a person or a group chat)."""

from __future__ import annotations

import re

_SCOPE = re.compile(r"^[a-z][a-z0-9_-]*:(user|chat|guild|channel|room):\S+$")


def user_scope(platform: str, user_id: str | int) -> str:
    """The personal scope of one user, e.g. `telegram:user:42`."""
    return f"{platform}:user:{user_id}"


def group_scope(platform: str, kind: str, group_id: str | int) -> str:
    """The shared scope of a group chat, e.g. `discord:guild:7` or `matrix:room:!abc:hs`."""
    return f"{platform}:{kind}:{group_id}"


def is_valid_scope(scope: str) -> bool:
    """True when `scope` has the `platform:kind:id` shape."""
    return bool(_SCOPE.match(scope))


CONSOLE_SCOPE = user_scope("console", "local")
