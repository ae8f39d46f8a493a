"""Who may talk to the assistant: deny by default, an allowlist, admins, and one-time pairing."""

from __future__ import annotations

import hmac
import secrets

from core.store.roles import RoleStore

OWNER = "owner"


class AccessControl:
    """Allowed = configured allowlist and admins, and users paired at run time."""

    def __init__(self, roles: RoleStore, *, allowed: list[str], admins: list[str]) -> None:
        self._roles = roles
        self._allowed = set(allowed)
        self._admins = set(admins)
        self.pairing_code: str | None = None

    def new_pairing_code(self) -> str:
        """Create (and remember) a fresh one-time pairing code."""
        self.pairing_code = "-".join(secrets.token_hex(2).upper() for _ in range(2))
        return self.pairing_code

    async def is_allowed(self, user: str) -> bool:
        """Whether `user` (`platform:user_id`) may use the assistant."""
        if user in self._allowed or user in self._admins:
            return True
        return await self._roles.role_of(user) is not None

    async def is_admin(self, user: str) -> bool:
        """Whether `user` may change shared settings (the model of a group, for instance)."""
        if user in self._admins:
            return True
        return await self._roles.role_of(user) in (OWNER, "admin")

    async def pair(self, user: str, code: str) -> bool:
        """Make `user` the owner if `code` is the current pairing code (which is then used up)."""
        expected = self.pairing_code
        if not expected or not hmac.compare_digest(code.strip().upper(), expected):
            return False
        self.pairing_code = None
        await self._roles.set_role(user, OWNER)
        return True
