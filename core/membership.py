"""The access commands in words: codes, invitations, requests and their answers, members, open groups.

Each change is written to the interaction log under ACCESS_SCOPE (never a code itself), and the people
it concerns are told by direct message through the Notifier.
"""

from __future__ import annotations

import asyncio
import logging

from core.access import AccessControl, CodeResult, RequestResult
from core.errors import BadInput, NotAllowed, UserError
from core.i18n import Translator, normalise_language
from core.models import Incoming, Reply
from core.notifier import Notifier
from core.store.interactions import InteractionLog
from core.store.roles import ADMIN, MEMBER, OWNER, Member

log = logging.getLogger(__name__)

ACCESS_SCOPE = "souvenir:access"
"""The interaction log's scope for access changes (kept out of every chat's conversation turns)."""

_ROLE_WORDS = {
    "member": MEMBER,
    "membre": MEMBER,
    "admin": ADMIN,
    "administrateur": ADMIN,
    "administratrice": ADMIN,
}
_OPEN_WORDS = {"open", "ouvert", "ouverte", "ouvrir", "on"}
_CLOSED_WORDS = {"closed", "close", "fermé", "fermée", "ferme", "fermer", "off"}


class Membership:
    """Words and notices around AccessControl; every handler returns the reply for the person who asked."""

    def __init__(
        self, access: AccessControl, notifier: Notifier, translate: Translator, interactions: InteractionLog
    ) -> None:
        self.access = access
        self.notifier = notifier
        self._t = translate
        self._log = interactions

    def _say(self, incoming: Incoming, lang: str, key: str, **params: object) -> str:
        return self._t(lang, key, c=incoming.prefix, **params)

    def _role(self, lang: str, role: str) -> str:
        return self._t(lang, f"role.{role}")

    # --- codes ---------------------------------------------------------------------------------

    async def redeem(self, incoming: Incoming, lang: str, code: str) -> Reply | None:
        """A pairing or invitation code sent by `incoming.user`; None when they are being ignored."""
        if incoming.is_group:
            voided = await self.access.void(code)
            if voided:
                await self._record(incoming, "start <code> in a group", "code voided: shown in a group")
            return Reply(text=self._say(incoming, lang, "code.voided" if voided else "code.in_group"), private=True)
        name = _name(incoming)
        outcome = await self.access.redeem(incoming.user, code, name=name, language=lang)
        if outcome.result is CodeResult.IGNORED:
            return None
        if outcome.result is CodeResult.PAIRED:
            await self._record(incoming, "start <pairing code>", f"{incoming.user} paired: owner")
            return Reply(text=self._say(incoming, lang, "access.paired", user=incoming.user), private=True)
        if outcome.result is CodeResult.JOINED:
            await self._record(incoming, "start <invitation code>", f"{incoming.user} joined: {outcome.role}")
            if outcome.invited_by:
                await self._tell(outcome.invited_by, "code.joined_notice", name=name or incoming.user, user=incoming.user)
            role = self._role(lang, outcome.role or MEMBER)
            return Reply(text=self._say(incoming, lang, "code.joined", role=role), private=True)
        if await self.access.is_allowed(incoming.user):
            return Reply(text=self._say(incoming, lang, "start.welcome"))
        if outcome.alert:
            await self.tell_managers(
                "code.guessing",
                name=name,
                user=incoming.user,
                count=outcome.failures,
                minutes=int(self.access.rules.guesses.lockout // 60),
            )
        key = {CodeResult.EXPIRED: "code.expired", CodeResult.USED: "code.used"}.get(
            outcome.result, "code.wrong"
        )
        return Reply(text=self._say(incoming, lang, key), private=True)

    async def invite(self, incoming: Incoming, lang: str, args: str) -> Reply:
        """A one-time invitation for a member (or an admin), with how to use it."""
        if not await self.access.is_admin(incoming.user):
            raise NotAllowed()
        words = args.strip().casefold().split()
        role = _ROLE_WORDS.get(words[0]) if words else MEMBER
        if role is None or len(words) > 1:
            raise BadInput(key="invite.usage")
        code, ttl = await self.access.invite(incoming.user, role)
        hours = int(ttl // 3600)
        lines = [
            self._say(incoming, lang, "invite.done", role=self._role(lang, role), code=code, count=hours)
        ]
        link = self.notifier.invite_link(incoming.platform, code)
        if link:
            lines.append(self._say(incoming, lang, "invite.link", link=link))
        await self._record(incoming, f"invite {role}", f"invitation for a {role}, valid {hours} h")
        return await self._privately(incoming, lang, "\n".join(lines))

    # --- requests ------------------------------------------------------------------------------

    async def request(self, incoming: Incoming, lang: str, args: str) -> Reply | None:
        """Ask the owner and admins to let the sender in (one message to each, once)."""
        if incoming.is_group and not await self.access.is_allowed(incoming.user):
            return Reply(text=self._say(incoming, lang, "request.in_group"), private=True)
        name = _name(incoming)
        outcome = await self.access.ask(incoming.user, name=name, note=args.strip(), language=lang)
        if outcome.result is RequestResult.IGNORED:
            return None
        if outcome.result is RequestResult.MEMBER:
            return Reply(text=self._say(incoming, lang, "request.member"))
        if outcome.result is RequestResult.PENDING:
            return Reply(text=self._say(incoming, lang, "request.pending"))
        if outcome.result is RequestResult.TOO_SOON:
            hours = max(1, round(outcome.wait / 3600))
            return Reply(text=self._say(incoming, lang, "request.too_soon", count=hours))
        request = outcome.request
        told = 0
        if self.access.may_notify():
            told = await self.tell_managers(
                "request.notice", name=name, user=incoming.user, number=request.number, note_line=request.note
            )
        await self._record(incoming, "request", f"request {request.number} from {incoming.user}; told {told}")
        return Reply(text=self._say(incoming, lang, "request.sent" if told else "request.unreachable"))

    async def approve(self, incoming: Incoming, lang: str, args: str) -> Reply:
        """Let the person of a pending request in, and tell them."""
        return await self._decide(incoming, lang, args, approve=True)

    async def refuse(self, incoming: Incoming, lang: str, args: str) -> Reply:
        """Decline a pending request, and tell the person who asked."""
        return await self._decide(incoming, lang, args, approve=False)

    async def _decide(self, incoming: Incoming, lang: str, args: str, *, approve: bool) -> Reply:
        request = await self.access.decide(incoming.user, args, approve=approve)
        their_lang = normalise_language(request.language, self._t.default)
        prefix = self.notifier.prefix(request.user)
        told = await self.notifier.tell(
            request.user, self._t(their_lang, "request.approved" if approve else "request.refused", c=prefix)
        )
        verb = "approve" if approve else "refuse"
        await self._record(
            incoming, f"{verb} {request.number}", f"request {request.number} of {request.user}: {verb}d"
        )
        name = request.name or request.user
        key = "approve.done" if approve else "refuse.done"
        lines = [self._say(incoming, lang, key, name=name, user=request.user)]
        lines.append(self._say(incoming, lang, "decision.told" if told else "decision.not_told"))
        return Reply(text="\n".join(lines))

    # --- members -------------------------------------------------------------------------------

    async def members(self, incoming: Incoming, lang: str, args: str) -> Reply:
        """Who has access and with which role, the requests waiting, and how to manage them."""
        if not await self.access.is_admin(incoming.user):
            raise NotAllowed()
        lines = [self._say(incoming, lang, "members.header")]
        for member in await self.access.members():
            if member.user.startswith("console:"):
                continue
            lines.append(self._member_line(incoming, lang, member))
        pending = await self.access.pending_requests()
        if pending:
            lines.append(self._say(incoming, lang, "members.waiting"))
            lines += [f"• {r.number}. {r.name or r.user} ({r.user})" for r in pending]
            lines.append(self._say(incoming, lang, "members.decide", number=pending[0].number))
        if incoming.is_group:
            state = await self.access.is_group_open(incoming.scope)
            lines.append(self._say(incoming, lang, "group.is_open" if state else "group.is_closed"))
        lines.append(self._say(incoming, lang, "members.footer"))
        return await self._privately(incoming, lang, "\n".join(lines))

    def _member_line(self, incoming: Incoming, lang: str, member: Member) -> str:
        icon = {OWNER: "👑", ADMIN: "⭐"}.get(member.role, "•")
        source = self._say(incoming, lang, "members.from_settings") if member.granted_by == "settings" else ""
        name = f"{member.name} ({member.user})" if member.name else member.user
        return f"{icon} {name} — {self._role(lang, member.role)}{source}"

    async def remove(self, incoming: Incoming, lang: str, args: str) -> Reply:
        """Take someone's access away, effective at their next message."""
        target = await self.access.remove(incoming.user, args)
        await self._record(incoming, f"remove {target.user}", f"{target.user} ({target.role}) removed")
        return Reply(
            text=self._say(incoming, lang, "remove.done", name=target.name or target.user, user=target.user)
        )

    async def promote(self, incoming: Incoming, lang: str, args: str) -> Reply:
        """Make a member an admin."""
        target = await self.access.set_admin(incoming.user, args, admin=True)
        await self._record(incoming, f"promote {target.user}", f"{target.user} is now admin")
        return Reply(
            text=self._say(incoming, lang, "promote.done", name=target.name or target.user, user=target.user)
        )

    async def demote(self, incoming: Incoming, lang: str, args: str) -> Reply:
        """Make an admin a member again."""
        target = await self.access.set_admin(incoming.user, args, admin=False)
        await self._record(incoming, f"demote {target.user}", f"{target.user} is now member")
        return Reply(
            text=self._say(incoming, lang, "demote.done", name=target.name or target.user, user=target.user)
        )

    async def group(self, incoming: Incoming, lang: str, args: str) -> Reply:
        """Show, open or close this group to all its members (its memory only)."""
        if not incoming.is_group:
            raise UserError(key="group.only_in_group")
        word = args.strip().casefold()
        if not word:
            state = await self.access.is_group_open(incoming.scope)
            return Reply(text=self._say(incoming, lang, "group.is_open" if state else "group.is_closed"))
        if word not in _OPEN_WORDS | _CLOSED_WORDS:
            raise BadInput(key="group.usage")
        is_open = word in _OPEN_WORDS
        await self.access.set_group_open(incoming.user, incoming.scope, is_open)
        await self._record(
            incoming,
            f"group {'open' if is_open else 'closed'}",
            f"{incoming.scope} {'opened' if is_open else 'closed'}",
        )
        return Reply(text=self._say(incoming, lang, "group.opened" if is_open else "group.closed"))

    # --- notices and the log -------------------------------------------------------------------

    async def _privately(self, incoming: Incoming, lang: str, text: str) -> Reply:
        """`text` for the caller only: in a group where the platform cannot show a reply to one person,
        it goes to their direct chat (a code read by the whole group could be used by anyone in it)."""
        if not incoming.is_group or incoming.can_reply_privately:
            return Reply(text=text, private=True)
        if await self.notifier.tell(incoming.user, text):
            return Reply(text=self._say(incoming, lang, "private.sent"))
        return Reply(text=self._say(incoming, lang, "private.failed"))

    async def tell_managers(self, key: str, **params: object) -> int:
        """One direct message to each owner and admin, in their language; how many got it."""
        managers = await self.access.managers()

        async def tell(member: Member) -> bool:
            lang = normalise_language(
                member.language or await self.access.language_of(member.user), self._t.default
            )
            return await self.notifier.tell(
                member.user,
                self._t(lang, key, c=self.notifier.prefix(member.user), **_localised(params, lang, self._t)),
            )

        results = await asyncio.gather(*(tell(m) for m in managers if self.notifier.reachable(m.user)))
        return sum(results)

    async def _tell(self, to: str, key: str, **params: object) -> bool:
        """One direct message to `to`, in their language and their platform's syntax."""
        lang = normalise_language(await self.access.language_of(to), self._t.default)
        return await self.notifier.tell(to, self._t(lang, key, c=self.notifier.prefix(to), **params))

    async def _record(self, incoming: Incoming, action: str, outcome: str) -> None:
        """One line in the interaction log for an access change (codes are never written)."""
        try:
            await self._log.log_interaction(
                ACCESS_SCOPE, incoming.chat_key, incoming.user, action, outcome, [], "access", 0.0
            )
        except Exception:
            log.exception("could not log the access change %r", action)


def _name(incoming: Incoming) -> str:
    """The sender's display name, cut to a sane length."""
    return (incoming.display_name or "").strip()[:80]


def _localised(params: dict[str, object], lang: str, translate: Translator) -> dict[str, object]:
    """Parameters worded for one reader: a request's note becomes its line in their language."""
    note = params.get("note_line")
    if note is None:
        return params
    line = translate(lang, "request.note", note=note) if note else ""
    return {**params, "note_line": line}
