"""How people get in: pairing and invitation codes, requests for access answered by admins, wrong codes
limited; deny by default (who is in, and with which role: core/access_roster.py)."""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from core.access_codes import TRACKED, GuessLimiter, GuessRules, code_hash, new_code, normalise
from core.access_roster import Roster, names_person
from core.errors import BadInput, UserError
from core.store.access_requests import APPROVED, PENDING, REFUSED, AccessRequest, RequestStore
from core.store.invitations import InvitationStore
from core.store.roles import ADMIN, MEMBER, OWNER, RoleStore

VOID = "(voided: shown in a group)"
"""`used_by` of an invitation whose code was typed where others could read it."""


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


class AccessControl(Roster):
    """Who may talk to the assistant (the roster), and how people get in: pairing and invitation codes,
    requests for access answered by admins, wrong codes limited."""

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
        super().__init__(roles, allowed=allowed, admins=admins, requests=requests, clock=clock)
        self._invitations = invitations
        self.rules = rules or AccessRules()
        self._guesses = GuessLimiter(self.rules.guesses, clock)
        self._asked: dict[str, list[float]] = {}
        self._noticed: list[float] = []
        self.pairing_code: str | None = None
        self.pairing_expires_at = 0.0

    def is_ignored(self, user: str) -> bool:
        """Whether `user` sent too many wrong codes lately and gets no answer for now."""
        return self._guesses.is_locked(user)

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
            matches = [r for r in await self._requests.pending() if names_person(r.user, r.name, text)]
            if len(matches) > 1:
                raise UserError(key="member.ambiguous", who=which.strip())
            request = matches[0] if matches else await self._requests.latest(text)
        if request is None:
            raise UserError(key="request.unknown", number=which.strip())
        return request
