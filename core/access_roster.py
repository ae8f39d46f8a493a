"""Who has access and with which role: the settings' allowlist and admins, roles granted in the chat,
groups opened to their members; members listed, found, removed, made admin."""

from __future__ import annotations

import time
from collections.abc import Callable

from core.errors import BadInput, NotAllowed, UserError
from core.store.access_requests import REFUSED, RequestStore
from core.store.roles import ADMIN, MEMBER, OWNER, Member, RoleStore

SETTINGS = "settings"
"""`granted_by` of the people listed in SOUVENIR_ALLOWED_USERS / SOUVENIR_ADMINS."""


class Roster:
    """Allowed = the settings' allowlist and admins, people with a stored role, and (in its group only)
    every member of a group opened by an admin."""

    def __init__(
        self,
        roles: RoleStore,
        *,
        allowed: list[str],
        admins: list[str],
        requests: RequestStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._roles = roles
        self._requests = requests
        self._allowed = list(dict.fromkeys(allowed))
        self._admins = list(dict.fromkeys(admins))
        self._clock = clock

    # --- who is let in -------------------------------------------------------------------------

    async def is_allowed(self, user: str) -> bool:
        """Whether `user` (`platform:user_id`) may use the assistant (their own memory included)."""
        if user in self._allowed or user in self._admins:
            return True
        return await self._roles.role_of(user) is not None

    async def may_use(self, user: str, scope: str, *, is_group: bool) -> bool:
        """Whether `user` may use `scope`: allowed people anywhere, anyone in a group opened to its members."""
        if await self.is_allowed(user):
            return True
        return is_group and await self._roles.is_open(scope)

    async def is_admin(self, user: str) -> bool:
        """Whether `user` may manage access and change shared settings (the model of a group, for instance)."""
        return await self.role(user) in (OWNER, ADMIN)

    async def role(self, user: str) -> str | None:
        """`user`'s role: a stored one first, else admin or member when the settings list them."""
        stored = await self._roles.role_of(user)
        if stored == OWNER or user in self._admins:
            return stored if stored == OWNER else ADMIN
        if stored is not None:
            return stored
        return MEMBER if user in self._allowed else None

    async def is_group_open(self, scope: str) -> bool:
        """Whether every member of the group `scope` may use its memory."""
        return await self._roles.is_open(scope)

    async def set_group_open(self, by: str, scope: str, is_open: bool) -> bool:
        """Open or close a group to its members (admins only); False when it already was so."""
        await self._require_admin(by)
        return await self._roles.set_open(scope, is_open, by)

    # --- members -------------------------------------------------------------------------------

    async def members(self) -> list[Member]:
        """Everyone who has access, with their role: stored roles, then the settings' lists."""
        stored = await self._roles.members()
        known = {m.user for m in stored}
        listed = [Member(u, ADMIN, granted_by=SETTINGS) for u in self._admins if u not in known]
        known |= set(self._admins)
        listed += [Member(u, MEMBER, granted_by=SETTINGS) for u in self._allowed if u not in known]
        return stored + listed

    async def managers(self) -> list[Member]:
        """The owners and admins (told of access requests and of someone guessing codes)."""
        return [m for m in await self.members() if m.role in (OWNER, ADMIN)]

    async def language_of(self, user: str) -> str | None:
        """The language `user` last used with us, when known."""
        member = await self._roles.member(user)
        if member is not None and member.language:
            return member.language
        request = await self._requests.latest(user) if self._requests is not None else None
        return request.language if request is not None else None

    async def find_member(self, which: str) -> Member:
        """The member named by `platform:id`, a bare id, or a name (a unique match)."""
        text = which.strip()
        if not text:
            raise BadInput(key="member.usage")
        members = await self.members()
        exact = [m for m in members if m.user == text]
        matches = exact or [m for m in members if names_person(m.user, m.name, text)]
        if not matches:
            raise UserError(key="member.unknown", who=text)
        if len(matches) > 1:
            raise UserError(key="member.ambiguous", who=text)
        return matches[0]

    async def remove(self, by: str, which: str) -> Member:
        """Take `which`'s access away now (admins; only an owner removes an owner; never oneself)."""
        target = await self._managed(by, which)
        if not await self._roles.remove(target.user):
            raise UserError(key="member.unknown", who=which.strip())
        await self._close_request(target.user, REFUSED, by)
        return target

    async def set_admin(self, by: str, which: str, *, admin: bool) -> Member:
        """Make `which` an admin, or a member again (admins; an owner stays owner)."""
        target = await self._managed(by, which)
        if target.role == OWNER:
            raise UserError(key="member.is_owner", user=target.user)
        await self._roles.set_role(target.user, ADMIN if admin else MEMBER, name=target.name, granted_by=by)
        return target

    async def _managed(self, by: str, which: str) -> Member:
        """The member `by` may change: not themselves, not an owner unless `by` is one, not settings-listed."""
        by_role = await self._require_admin(by)
        target = await self.find_member(which)
        if target.user == by:
            raise UserError(key="member.self")
        if target.role == OWNER and by_role != OWNER:
            raise UserError(key="member.owner_protected")
        if target.granted_by == SETTINGS or target.user in self._admins or target.user in self._allowed:
            raise UserError(key="member.in_settings", user=target.user)
        return target

    async def _require_admin(self, user: str) -> str:
        role = await self.role(user)
        if role not in (OWNER, ADMIN):
            raise NotAllowed()
        return role

    async def _close_request(self, user: str, status: str, by: str) -> None:
        if self._requests is not None:
            await self._requests.close_for(user, status, by, self._clock())


def names_person(user: str, name: str, text: str) -> bool:
    """Whether `text` names this person: their id without the platform, or their name (any case)."""
    folded = text.casefold()
    return user.partition(":")[2] == text or (bool(name) and name.casefold() == folded)
