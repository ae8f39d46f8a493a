"""Who may talk to the assistant: deny by default; settings' allowlist and admins; roles granted from
the chat (pairing, invitations, approved requests); groups opened to their members; wrong codes limited."""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from core.access_codes import TRACKED, GuessLimiter, GuessRules, code_hash, new_code, normalise
from core.errors import BadInput, NotAllowed, UserError
from core.store.access_requests import APPROVED, PENDING, REFUSED, AccessRequest, RequestStore
from core.store.invitations import InvitationStore
from core.store.roles import ADMIN, MEMBER, OWNER, Member, RoleStore

VOID = "(voided: shown in a group)"
"""`used_by` of an invitation whose code was typed where others could read it."""
SETTINGS = "settings"
"""`granted_by` of the people listed in SOUVENIR_ALLOWED_USERS / SOUVENIR_ADMINS."""


@dataclass(frozen=True)
class AccessRules:
    """How long codes last, how often a refused person may ask again, how wrong codes are limited."""

    pairing_ttl: float = 60 * 60
    invitation_ttl: float = 48 * 60 * 60
    request_cooldown: float = 24 * 60 * 60
    """After a refusal, a new request is accepted only this long after it."""
    request_answers: int = 3
    """Repeated requests while one is pending are answered this many times an hour, then ignored."""
    request_notices: int = 20
    """Owners are told of at most this many new requests an hour (the rest wait in `members`)."""
    guesses: GuessRules = field(default_factory=GuessRules)


class CodeResult(StrEnum):
    """What a code sent by someone did."""

    PAIRED = "paired"
    JOINED = "joined"
    WRONG = "wrong"
    EXPIRED = "expired"
    USED = "used"
    IGNORED = "ignored"
    """The sender sent too many wrong codes: no answer at all for a while."""


@dataclass(frozen=True)
class Redemption:
    """The outcome of a code; `alert` asks to tell the owners that this sender keeps guessing."""

    result: CodeResult
    role: str | None = None
    alert: bool = False
    failures: int = 0
    invited_by: str | None = None


class RequestResult(StrEnum):
    """What asking for access did."""

    CREATED = "created"
    PENDING = "pending"
    MEMBER = "member"
    TOO_SOON = "too_soon"
    IGNORED = "ignored"


@dataclass(frozen=True)
class RequestOutcome:
    """The outcome of a request for access; `wait` is the seconds left before asking again is accepted."""

    result: RequestResult
    request: AccessRequest | None = None
    wait: float = 0.0


class AccessControl:
    """Allowed = the settings' allowlist and admins, people with a stored role, and (in its group only)
    every member of a group opened by an admin."""

    def __init__(
        self,
        roles: RoleStore,
        *,
        allowed: list[str],
        admins: list[str],
        invitations: InvitationStore | None = None,
        requests: RequestStore | None = None,
        rules: AccessRules | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._roles = roles
        self._invitations = invitations
        self._requests = requests
        self._allowed = list(dict.fromkeys(allowed))
        self._admins = list(dict.fromkeys(admins))
        self.rules = rules or AccessRules()
        self._clock = clock
        self._guesses = GuessLimiter(self.rules.guesses, clock)
        self._asked: dict[str, list[float]] = {}
        self._noticed: list[float] = []
        self.pairing_code: str | None = None
        self.pairing_expires_at = 0.0

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

    def is_ignored(self, user: str) -> bool:
        """Whether `user` sent too many wrong codes lately and gets no answer for now."""
        return self._guesses.is_locked(user)

    async def is_group_open(self, scope: str) -> bool:
        """Whether every member of the group `scope` may use its memory."""
        return await self._roles.is_open(scope)

    async def set_group_open(self, by: str, scope: str, is_open: bool) -> bool:
        """Open or close a group to its members (admins only); False when it already was so."""
        await self._require_admin(by)
        return await self._roles.set_open(scope, is_open, by)

    # --- codes ---------------------------------------------------------------------------------

    def new_pairing_code(self) -> str:
        """Create (and remember) a fresh one-time pairing code, valid for `rules.pairing_ttl` seconds."""
        self.pairing_code = new_code()
        self.pairing_expires_at = self._clock() + self.rules.pairing_ttl
        return self.pairing_code

    async def pair(self, user: str, code: str) -> bool:
        """Make `user` the owner if `code` is the current pairing code (kept for callers of the old API)."""
        return (await self.redeem(user, code)).result is CodeResult.PAIRED

    async def redeem(
        self, user: str, code: str, *, name: str = "", language: str | None = None
    ) -> Redemption:
        """Use a pairing or invitation code for `user`; wrong codes count towards ignoring the sender."""
        if self._guesses.is_locked(user):
            return Redemption(CodeResult.IGNORED)
        typed = normalise(code)
        expected = normalise(self.pairing_code or "")
        if expected and hmac.compare_digest(typed.encode(), expected.encode()):
            self.pairing_code = None
            if self._clock() >= self.pairing_expires_at:
                return Redemption(CodeResult.EXPIRED)
            self._guesses.succeeded(user)
            await self._roles.set_role(user, OWNER, name=name, granted_by="pairing", language=language)
            await self._close_request(user, APPROVED, "pairing")
            return Redemption(CodeResult.PAIRED, OWNER)
        if self._invitations is not None and typed:
            invitation, valid = await self._invitations.use(code_hash(typed), user, self._clock())
            if valid and invitation is not None:
                self._guesses.succeeded(user)
                current = await self._roles.role_of(user)
                role = current if current in (OWNER, ADMIN) and invitation.role == MEMBER else invitation.role
                await self._roles.set_role(
                    user, role, name=name, granted_by=invitation.created_by, language=language
                )
                await self._close_request(user, APPROVED, invitation.created_by)
                return Redemption(CodeResult.JOINED, role, invited_by=invitation.created_by)
            if invitation is not None:
                used = invitation.used_by not in (None, VOID)
                return Redemption(CodeResult.USED if used else CodeResult.EXPIRED)
        if await self.is_allowed(user):
            return Redemption(CodeResult.WRONG)
        locked = self._guesses.failed(user)
        alert = locked and self._guesses.should_alert(user)
        return Redemption(
            CodeResult.WRONG, alert=alert, failures=self.rules.guesses.attempts if locked else 0
        )

    async def void(self, code: str) -> bool:
        """Make a code that was shown to others (typed in a group) unusable; whether it was a live one."""
        typed = normalise(code)
        expected = normalise(self.pairing_code or "")
        if expected and hmac.compare_digest(typed.encode(), expected.encode()):
            self.pairing_code = None
            return True
        if self._invitations is None or not typed:
            return False
        _, voided = await self._invitations.use(code_hash(typed), VOID, self._clock())
        return voided

    async def invite(self, by: str, role: str = MEMBER) -> tuple[str, float]:
        """A one-time invitation code for `role` (admins only): (code, seconds it stays valid)."""
        await self._require_admin(by)
        if role not in (MEMBER, ADMIN):
            raise BadInput(key="invite.usage")
        if self._invitations is None:
            raise UserError()
        code = new_code()
        now = self._clock()
        await self._invitations.create(code_hash(code), role, by, now, now + self.rules.invitation_ttl)
        return code, self.rules.invitation_ttl

    # --- requests ------------------------------------------------------------------------------

    async def ask(
        self, user: str, *, name: str, note: str = "", language: str | None = None
    ) -> RequestOutcome:
        """Record `user`'s request for access: one pending request per person, answers rate-limited."""
        if await self.is_allowed(user):
            return RequestOutcome(RequestResult.MEMBER)
        if self._requests is None:
            raise UserError()
        now = self._clock()
        if len(self._asked) > TRACKED:  # a flood of new people: keep the most recent half
            recent_first = sorted(self._asked.items(), key=lambda item: item[1][-1], reverse=True)
            self._asked = {u: ts for u, ts in recent_first[: TRACKED // 2] if now - ts[-1] < 3600}
        recent = [t for t in self._asked.get(user, []) if now - t < 3600]
        if len(recent) >= self.rules.request_answers:
            return RequestOutcome(RequestResult.IGNORED)
        self._asked[user] = [*recent, now]
        latest = await self._requests.latest(user)
        if latest is not None and latest.status == REFUSED and latest.decided_at is not None:
            wait = latest.decided_at + self.rules.request_cooldown - now
            if wait > 0:
                return RequestOutcome(RequestResult.TOO_SOON, latest, wait)
        request, created = await self._requests.open(user, name, note[:300], language, now)
        return RequestOutcome(RequestResult.CREATED if created else RequestResult.PENDING, request)

    def may_notify(self) -> bool:
        """Whether owners may be told of one more new request this hour (a flood of strangers waits in the list)."""
        now = self._clock()
        self._noticed = [t for t in self._noticed if now - t < 3600]
        if len(self._noticed) >= self.rules.request_notices:
            return False
        self._noticed.append(now)
        return True

    async def decide(self, by: str, which: str, *, approve: bool) -> AccessRequest:
        """Approve (the person becomes a member) or refuse a pending request named by number or id."""
        await self._require_admin(by)
        request = await self._find_request(which)
        if request.status != PENDING:
            raise UserError(key="request.decided", number=request.number)
        now = self._clock()
        if not await self._requests.decide(request.id, APPROVED if approve else REFUSED, by, now):
            raise UserError(key="request.decided", number=request.number)
        if approve and not await self.is_allowed(request.user):
            await self._roles.set_role(
                request.user, MEMBER, name=request.name, granted_by=by, language=request.language
            )
        return request

    async def pending_requests(self) -> list[AccessRequest]:
        """Requests waiting for an answer, oldest first."""
        return await self._requests.pending() if self._requests is not None else []

    async def _find_request(self, which: str) -> AccessRequest:
        text = which.strip().lstrip("#")
        if not text:
            raise BadInput(key="request.usage")
        request = await self._requests.get(int(text)) if text.isdigit() else None
        if request is None:
            matches = [r for r in await self._requests.pending() if _names(r.user, r.name, text)]
            if len(matches) > 1:
                raise UserError(key="member.ambiguous", who=which.strip())
            request = matches[0] if matches else await self._requests.latest(text)
        if request is None:
            raise UserError(key="request.unknown", number=which.strip())
        return request

    async def _close_request(self, user: str, status: str, by: str) -> None:
        if self._requests is not None:
            await self._requests.close_for(user, status, by, self._clock())

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
        matches = exact or [m for m in members if _names(m.user, m.name, text)]
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


def _names(user: str, name: str, text: str) -> bool:
    """Whether `text` names this person: their id without the platform, or their name (any case)."""
    folded = text.casefold()
    return user.partition(":")[2] == text or (bool(name) and name.casefold() == folded)
