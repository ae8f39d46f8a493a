"""A link sent alone (or with `ingest`) becomes a memory of the article; the fetch is guarded like a server's."""

from __future__ import annotations

import pytest

from tests.fakes.web_site import ARTICLE_SENTENCES, CLUTTER, TITLE, FakeWebSite
from tests.requests import say

pytestmark = pytest.mark.timeout(120)
SCOPE = "console:user:local"


@pytest.fixture
async def site():
    """The stand-in web site on 127.0.0.1."""
    async with FakeWebSite() as server:
        yield server


async def _stored_text(app) -> str:
    return "\n".join(m.text for m in await app.store.memories.all_memories(SCOPE))


async def test_a_shared_link_stores_the_article_without_the_clutter(make_app, site, fake_ollama):
    app = await make_app(**{"web": {"allow_private": True}})
    reply = await say(app, f"{site.url}/article")
    assert "❌" not in reply, reply
    assert TITLE in reply and "✅" in reply
    preview = reply.split("🔗", 1)[1].split("\n")[0]
    assert preview.count(TITLE) == 1 and ARTICLE_SENTENCES[0][:40] in preview, preview
    stored = await _stored_text(app)
    assert stored.count(TITLE) == 1, stored
    for sentence in ARTICLE_SENTENCES:
        assert sentence in stored
    for clutter in CLUTTER:
        assert clutter not in stored, f"navigation clutter was stored: {clutter}"
    sources = {m.source for m in await app.store.memories.all_memories(SCOPE)}
    assert sources == {f"{TITLE} <{site.url}/article>"}

    await say(app, "Quand le phare de Kerbrat a-t-il été automatisé ?")
    prompt = fake_ollama.chat_requests[-1]["messages"][0]["content"]
    assert "1994" in prompt and f"{site.url}/article" in prompt


async def test_the_ingest_command_follows_a_redirect_and_a_second_share_adds_nothing(make_app, site):
    app = await make_app(**{"web": {"allow_private": True}})
    first = await say(app, command="ingest", args=f"{site.url}/to-article")
    assert "✅" in first, first
    count = len(await app.store.memories.all_memories(SCOPE))
    again = await say(app, f"<{site.url}/article>")
    assert "♻️" in again, again
    assert len(await app.store.memories.all_memories(SCOPE)) == count


async def test_loopback_is_refused_unless_the_setting_allows_it(make_app, site):
    app = await make_app()
    for url in (f"{site.url}/article", f"{site.url.replace('127.0.0.1', 'localhost')}/article"):
        reply = await say(app, url)
        assert "local or private address" in reply, reply
    assert site.hits == {}, "the bot connected to a loopback address"
    assert await app.store.memories.all_memories(SCOPE) == []


async def test_a_50_mb_page_is_refused_cleanly_declared_or_not(make_app, site):
    app = await make_app(**{"web": {"allow_private": True}})
    for path in ("/big", "/big-chunked"):
        reply = await say(app, f"{site.url}{path}")
        assert "larger than 5 MB" in reply, reply
    assert await app.store.memories.all_memories(SCOPE) == []


async def test_a_redirect_loop_and_a_redirect_to_another_scheme_are_refused(make_app, site):
    app = await make_app(**{"web": {"allow_private": True, "max_redirects": 3}})
    loop = await say(app, f"{site.url}/loop")
    assert "too many redirects (more than 3)" in loop, loop
    assert site.hits["/loop"] == 4
    ftp = await say(app, f"{site.url}/to-ftp")
    assert "only http and https" in ftp, ftp
    assert await app.store.memories.all_memories(SCOPE) == []


async def test_links_are_off_with_a_clear_message_when_disabled(make_app, site):
    app = await make_app(**{"web": {"enabled": False, "allow_private": True}})
    reply = await say(app, f"{site.url}/article")
    assert "cannot fetch links on this installation (switched off in the settings)" in reply
    assert site.hits == {}
