"""Deny by default; allowlist, pairing (one use), admins."""

from tests.requests import say


async def test_unknown_user_is_told_their_id_and_nothing_reaches_memory(make_app):
    app = await make_app()
    text = await say(
        app, command="teach", args="sneaky", scope="telegram:user:5", user="5", platform="telegram"
    )
    assert "telegram:5" in text and "/start" in text
    assert (await app.memory.reading.status("telegram:user:5")).stats.live == 0


async def test_pairing_code_makes_the_first_user_owner_once(make_app):
    app = await make_app(language="fr")
    code = app.assistant.access.new_pairing_code()
    wrong = await say(
        app, command="start", args="0000-0000", scope="discord:user:9", user="9", platform="discord"
    )
    assert "pas valide" in wrong
    ok = await say(
        app, command="start", args=code.lower(), scope="discord:user:9", user="9", platform="discord"
    )
    assert "propriétaire" in ok
    assert await app.assistant.access.is_admin("discord:9")
    reused = await say(
        app, command="start", args=code, scope="telegram:user:1", user="1", platform="telegram"
    )
    assert "pas valide" in reused and not await app.assistant.access.is_allowed("telegram:1")


async def test_allowlisted_user_works_and_language_follows_platform(make_app):
    app = await make_app(allowed_users=["telegram:3"])
    text = await say(
        app,
        command="teach",
        args="x y z",
        scope="telegram:user:3",
        user="3",
        platform="telegram",
        language="fr-FR",
    )
    assert text.startswith("✅ Retenu")


async def test_only_admins_switch_the_model_of_a_group(make_app):
    app = await make_app(allowed_users=["telegram:3"], admins=["telegram:4"])
    group = {"scope": "telegram:chat:-1", "platform": "telegram", "is_group": True}
    assert "admin" in await say(app, command="model", args="llama3.2", user="3", **group)
    assert "llama3.2" in await say(app, command="model", args="llama3.2", user="4", **group)


async def test_help_is_entirely_in_french_when_the_language_is_french(make_app):
    app = await make_app(language="fr")
    text = await say(app, command="help")
    assert "Voici ce que je sais faire" in text
    assert "corrige FAUX -> JUSTE — Corriger une erreur" in text
    assert "WRONG" not in text and "TEXT " not in text
