"""Family access on the real store: pairing, invitations, requests, members, open groups, guessing."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from core.access import AccessControl, AccessRules
from core.access_codes import GuessRules
from core.membership import ACCESS_SCOPE, Membership
from core.models import Incoming
from core.notifier import Notifier
from core.store import Store


@dataclass
class Inbox:
    """A DirectChannel test double: what each user of one platform was sent."""

    prefix: str = "/"
    sent: list[tuple[str, str]] = field(default_factory=list)

    async def send_direct(self, user_id: str, text: str) -> None:
        self.sent.append((user_id, text))

    def invite_link(self, code: str) -> str | None:
        return f"https://t.me/bot?start={code}"

    def to(self, user_id: str) -> list[str]:
        return [text for who, text in self.sent if who == user_id]


@dataclass
class Family:
    store: Store
    access: AccessControl
    membership: Membership
    inbox: Inbox
    clock: list[float]

    async def say(
        self, handler: str, user: str, args: str = "", *, name: str = "", group: str = "", lang="en"
    ):
        incoming = Incoming(
            platform="telegram",
            user_id=user,
            scope=f"telegram:chat:{group}" if group else f"telegram:user:{user}",
            chat_key=f"telegram:chat:{group or user}",
            is_group=bool(group),
            display_name=name,
        )
        reply = await getattr(self.membership, handler)(incoming, lang, args)
        return None if reply is None else reply.text


async def build(store: Store, translate, **settings) -> Family:
    clock = [1_000_000.0]
    rules = AccessRules(guesses=GuessRules(attempts=3, window=900, lockout=3600, alert_every=3600))
    access = AccessControl(
        store.roles,
        invitations=store.invitations,
        requests=store.requests,
        allowed=settings.get("allowed", []),
        admins=settings.get("admins", []),
        rules=rules,
        clock=lambda: clock[0],
    )
    notifier = Notifier()
    inbox = Inbox()
    notifier.attach("telegram", inbox)
    return Family(store, access, Membership(access, notifier, translate, store.interactions), inbox, clock)


@pytest.fixture
async def family(make_app):
    app = await make_app()
    fam = await build(
        app.store,
        app.assistant.services.translate if hasattr(app.assistant, "services") else app.assistant._t,
    )
    code = fam.access.new_pairing_code()
    assert "paired" in (await fam.say("redeem", "1", code, name="Marie")).lower()
    return fam


async def test_pairing_then_invitation_makes_a_member_once(family):
    text = await family.say("invite", "1")
    code = next(word for word in text.split() if word.count("-") == 2 and len(word) == 14)
    assert f"https://t.me/bot?start={code}" in text
    assert "Welcome" in await family.say("redeem", "2", code.lower(), name="Paul")
    assert await family.access.role("telegram:2") == "member"
    assert family.inbox.to("1") == ["✅ Paul (telegram:2) joined with your invitation."]
    assert "already been used" in await family.say("redeem", "3", code, name="Eve")
    assert not await family.access.is_allowed("telegram:3")


async def test_an_expired_invitation_is_refused_clearly(family):
    text = await family.say("invite", "1", "admin")
    code = next(word for word in text.split() if word.count("-") == 2 and len(word) == 14)
    family.clock[0] += family.access.rules.invitation_ttl + 1
    assert "expired" in await family.say("redeem", "2", code)
    assert not await family.access.is_allowed("telegram:2")


async def test_an_admin_invitation_gives_the_admin_role(family):
    text = await family.say("invite", "1", "administrateur", lang="fr")
    code = next(word for word in text.split() if word.count("-") == 2 and len(word) == 14)
    assert "Bienvenue" in await family.say("redeem", "2", code, lang="fr")
    assert await family.access.role("telegram:2") == "admin"


async def test_a_request_reaches_the_owner_once_and_approval_lets_the_person_in(family):
    assert "sent to the owner" in await family.say("request", "5", "the cousin", name="Léa")
    assert "already waiting" in await family.say("request", "5", name="Léa")
    notices = family.inbox.to("1")
    assert len(notices) == 1
    assert "Léa (telegram:5)" in notices[0] and "/approve 1" in notices[0] and "/refuse 1" in notices[0]
    assert "the cousin" in notices[0]
    assert "is now a member" in await family.say("approve", "1", "1")
    assert await family.access.role("telegram:5") == "member"
    assert "accepted" in family.inbox.to("5")[-1]


async def test_repeated_requests_are_answered_a_few_times_then_ignored(family):
    answers = [await family.say("request", "6", name="X") for _ in range(6)]
    assert answers[:3] == [answers[0], answers[1], answers[1]]
    assert answers[3:] == [None, None, None]
    assert len(family.inbox.to("1")) == 1


async def test_a_refused_person_is_told_and_cannot_ask_again_at_once(family):
    await family.say("request", "7", name="Tom")
    assert "Declined" in await family.say("refuse", "1", "7")
    assert "declined" in family.inbox.to("7")[-1]
    assert "ask again in 24 hours" in await family.say("request", "7", name="Tom")
    family.clock[0] += 25 * 3600
    assert "sent to the owner" in await family.say("request", "7", name="Tom")
    assert len(family.inbox.to("1")) == 2


async def test_members_lists_roles_and_waiting_requests_and_remove_takes_effect_at_once(family):
    text = await family.say("invite", "1")
    code = next(word for word in text.split() if word.count("-") == 2 and len(word) == 14)
    await family.say("redeem", "2", code, name="Paul")
    await family.say("request", "9", name="Zoé")
    listing = await family.say("members", "1")
    assert "👑 Marie (telegram:1) — owner" in listing
    assert "Paul (telegram:2) — member" in listing
    assert "1. Zoé (telegram:9)" in listing
    assert "no longer has access" in await family.say("remove", "1", "Paul")
    assert not await family.access.is_allowed("telegram:2")


async def test_an_admin_manages_members_but_cannot_remove_the_owner(family):
    text = await family.say("invite", "1")
    code = next(word for word in text.split() if word.count("-") == 2 and len(word) == 14)
    await family.say("redeem", "2", code, name="Paul")
    assert "is now an admin" in await family.say("promote", "1", "telegram:2")
    with pytest.raises(Exception) as refused:
        await family.say("remove", "2", "telegram:1")
    assert refused.value.key == "member.owner_protected"
    with pytest.raises(Exception) as self_removal:
        await family.say("remove", "1", "1")
    assert self_removal.value.key == "member.self"
    assert await family.access.role("telegram:1") == "owner"


async def test_members_cannot_invite_or_approve(family):
    text = await family.say("invite", "1")
    code = next(word for word in text.split() if word.count("-") == 2 and len(word) == 14)
    await family.say("redeem", "2", code, name="Paul")
    for handler in ("invite", "members", "approve", "remove"):
        with pytest.raises(Exception) as refused:
            await family.say(handler, "2", "1")
        assert refused.value.key == "error.not_allowed"


async def test_an_open_group_lets_its_members_use_its_memory_only(family):
    assert not await family.access.may_use("telegram:4", "telegram:chat:-50", is_group=True)
    assert "open" in await family.say("group", "1", "ouvert", group="-50")
    assert await family.access.may_use("telegram:4", "telegram:chat:-50", is_group=True)
    assert not await family.access.may_use("telegram:4", "telegram:chat:-51", is_group=True)
    assert not await family.access.may_use("telegram:4", "telegram:user:4", is_group=False)
    assert "closed" in await family.say("group", "1", "closed", group="-50")
    assert not await family.access.may_use("telegram:4", "telegram:chat:-50", is_group=True)


async def test_wrong_codes_stop_being_answered_and_the_owner_is_told_once(family):
    answers = [await family.say("redeem", "66", "AAAA-BBBB-CCCC", name="Mallory") for _ in range(5)]
    assert all("not valid" in a for a in answers[:3])
    assert answers[3:] == [None, None]
    alerts = [t for t in family.inbox.to("1") if "wrong codes" in t]
    assert len(alerts) == 1 and "Mallory (telegram:66)" in alerts[0]
    text = await family.say("invite", "1")
    code = next(word for word in text.split() if word.count("-") == 2 and len(word) == 14)
    assert await family.say("redeem", "66", code) is None
    family.clock[0] += 3601
    assert "Welcome" in await family.say("redeem", "66", code)


async def test_settings_lists_are_honoured_and_cannot_be_removed_from_the_chat(make_app):
    app = await make_app()
    fam = await build(app.store, app.assistant._t, allowed=["telegram:20"], admins=["telegram:21"])
    assert await fam.access.role("telegram:20") == "member"
    assert await fam.access.role("telegram:21") == "admin"
    listing = await fam.say("members", "21")
    assert "telegram:20 — member (server settings)" in listing
    with pytest.raises(Exception) as refused:
        await fam.say("remove", "21", "telegram:20")
    assert refused.value.key == "member.in_settings"


async def test_every_change_is_in_the_interaction_log_without_codes(family):
    text = await family.say("invite", "1")
    code = next(word for word in text.split() if word.count("-") == 2 and len(word) == 14)
    await family.say("redeem", "2", code, name="Paul")
    await family.say("request", "3", name="Léa")
    await family.say("approve", "1", "1")
    await family.say("promote", "1", "2")
    await family.say("group", "1", "open", group="-7")
    await family.say("remove", "1", "3")
    logged = await family.store.interactions.all_interactions(ACCESS_SCOPE)
    actions = [entry.input.split()[0] for entry in logged]
    assert actions == ["start", "invite", "start", "request", "approve", "promote", "group", "remove"]
    assert all(code not in entry.input + entry.output for entry in logged)
    assert all(entry.model == "access" for entry in logged)


async def test_roles_survive_a_restart(make_app, tmp_path):
    app = await make_app(data_dir=tmp_path / "restart")
    fam = await build(app.store, app.assistant._t)
    await fam.say("redeem", "1", fam.access.new_pairing_code())
    text = await fam.say("invite", "1")
    code = next(word for word in text.split() if word.count("-") == 2 and len(word) == 14)
    await fam.say("redeem", "2", code)
    await fam.say("promote", "1", "2")
    await fam.say("group", "1", "open", group="-3")
    await app.close()
    again = await Store.open(tmp_path / "restart" / "souvenir.db")
    try:
        access = AccessControl(
            again.roles, allowed=[], admins=[], invitations=again.invitations, requests=again.requests
        )
        assert await access.role("telegram:1") == "owner"
        assert await access.role("telegram:2") == "admin"
        assert await access.is_group_open("telegram:chat:-3")
    finally:
        await again.close()


async def test_an_invitation_typed_in_a_group_stops_working(family):
    text = await family.say("invite", "1")
    code = next(word for word in text.split() if word.count("-") == 2 and len(word) == 14)
    assert "no longer works" in await family.say("redeem", "8", code, group="-9")
    assert "expired" in await family.say("redeem", "8", code)
    assert not await family.access.is_allowed("telegram:8")


async def test_french_people_are_answered_and_told_in_french_with_french_command_names(make_app):
    app = await make_app(language="fr")
    fam = await build(app.store, app.assistant._t)
    await fam.say("redeem", "1", fam.access.new_pairing_code(), name="Marie", lang="fr")
    sent = await fam.say("request", "5", "je suis la cousine", name="Léa", lang="fr")
    assert sent.startswith("✉️ Votre demande a été transmise")
    (notice,) = fam.inbox.to("1")
    assert "Léa (telegram:5) demande l’accès" in notice and "/accepter 1" in notice and "/refuser 1" in notice
    assert "«\u00a0je suis la cousine\u202f»" in notice
    assert "est maintenant membre" in await fam.say("approve", "1", "1", lang="fr")
    assert fam.inbox.to("5") == ["✅ Bonne nouvelle\u00a0: votre demande d’accès a été acceptée. Tapez /aide pour voir ce que je sais faire."]
    listing = await fam.say("members", "1", lang="fr")
    assert "👑 Marie (telegram:1) — propriétaire" in listing and "Léa (telegram:5) — membre" in listing


async def test_the_console_user_invites_and_lists_members_through_the_assistant(make_app):
    from tests.requests import say

    app = await make_app()
    text = await say(app, command="invite")
    code = next(word for word in text.split() if word.count("-") == 2 and len(word) == 14)
    assert "start " + code in text
    joined = await say(app, command="start", args=code, scope="telegram:user:9", user="9", platform="telegram")
    assert "Welcome" in joined
    listing = await say(app, command="members")
    assert "telegram:9 — member" in listing and "console:local" not in listing
    assert "no longer has access" in await say(app, command="remove", args="9")
    refused = await say(app, command="teach", args="x", scope="telegram:user:9", user="9", platform="telegram")
    assert "not on my list" in refused


async def test_a_flood_of_strangers_reaches_the_owner_a_bounded_number_of_times(family):
    limit = family.access.rules.request_notices
    answers = [await family.say("request", str(1000 + n), name=f"bot{n}") for n in range(limit + 5)]
    assert len(family.inbox.to("1")) == limit
    assert all("sent to the owner" in a for a in answers[:limit])
    assert all("they will see it in their list" in a for a in answers[limit:])
    assert len(await family.access.pending_requests()) == limit + 5
