"""Letting the family in: invitations, requests and their answers, members and their roles, open groups.

The words are in core.membership (replies, notices to owners, the interaction log); the rules in
core.access (codes, requests, limits) and core.access_roster (who is in, with which role).
"""

from __future__ import annotations

from core.commands.call import Call
from core.commands.declaration import argument, command
from core.models import Reply

_WHO = argument("who", "ID", "ID", "The id shown by members, or a name", "L’identifiant montré par membres, ou un nom")
_REQUEST = argument("request", "N", "N", "The request number", "Le numéro de la demande")


@command(
    "invite",
    "Invite someone: a one-time code (admins)",
    "Inviter quelqu’un : un code à usage unique (administrateurs)",
    argument("role", "member|admin", "membre|admin", "Their role", "Son rôle", required=False),
    names={"fr": "inviter"},
    private=True,
)
async def invite(call: Call) -> Reply:
    """A one-time invitation code (and a link on Telegram), valid for a limited time."""
    return await call.services.membership.invite(call.incoming, call.lang, call.args)


@command(
    "request",
    "Ask the owner for access",
    "Demander l’accès au propriétaire",
    argument("text", "WORDS", "MOTS", "A few words about you", "Quelques mots sur vous", required=False),
    names={"fr": "demander"},
    strangers=True,
)
async def request(call: Call) -> Reply | None:
    """Tell the owner and admins who asks, once."""
    return await call.services.membership.request(call.incoming, call.lang, call.args)


@command(
    "approve",
    "Let in the person of a request (admins)",
    "Accepter la demande d’une personne (administrateurs)",
    _REQUEST,
    names={"fr": "accepter"},
)
async def approve(call: Call) -> Reply:
    """The person becomes a member and is told."""
    return await call.services.membership.approve(call.incoming, call.lang, call.args)


@command(
    "refuse",
    "Decline a request (admins)",
    "Refuser une demande (administrateurs)",
    _REQUEST,
    names={"fr": "refuser"},
)
async def refuse(call: Call) -> Reply:
    """The request is declined and the person told."""
    return await call.services.membership.refuse(call.incoming, call.lang, call.args)


@command(
    "members",
    "Who has access, with which role (admins)",
    "Qui a accès, avec quel rôle (administrateurs)",
    names={"fr": "membres"},
    private=True,
)
async def members(call: Call) -> Reply:
    """Members and their roles, requests waiting, and this group's state."""
    return await call.services.membership.members(call.incoming, call.lang, call.args)


@command(
    "remove",
    "Take someone's access away (admins)",
    "Retirer l’accès à quelqu’un (administrateurs)",
    _WHO,
    names={"fr": "retirer"},
)
async def remove(call: Call) -> Reply:
    """Effective at their next message."""
    return await call.services.membership.remove(call.incoming, call.lang, call.args)


@command(
    "promote",
    "Make a member an admin (admins)",
    "Nommer un membre administrateur (administrateurs)",
    _WHO,
    names={"fr": "promouvoir"},
)
async def promote(call: Call) -> Reply:
    """The member may then manage access too."""
    return await call.services.membership.promote(call.incoming, call.lang, call.args)


@command(
    "demote",
    "Make an admin a plain member again (admins)",
    "Refaire d’un administrateur un simple membre (administrateurs)",
    _WHO,
    names={"fr": "retrograder"},
)
async def demote(call: Call) -> Reply:
    """Back to a plain member."""
    return await call.services.membership.demote(call.incoming, call.lang, call.args)


@command(
    "group",
    "Let every member of this group use its memory, or not (admins)",
    "Ouvrir ou fermer ce groupe à tous ses membres (administrateurs)",
    argument("state", "open|closed", "ouvert|fermé", "open or closed", "ouvert ou fermé", required=False),
    names={"fr": "groupe"},
)
async def group(call: Call) -> Reply:
    """Open or closed; members of an open group get the group's memory only."""
    return await call.services.membership.group(call.incoming, call.lang, call.args)
