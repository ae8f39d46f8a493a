"""A stand-in web site on 127.0.0.1: an article wrapped in navigation clutter, and pages that misbehave."""

from __future__ import annotations

from aiohttp import web

from tests.fakes.local_http import serve_locally

ARTICLE_SENTENCES = (
    "Le phare de Kerbrat a été construit en 1887 sur un îlot rocheux au large de Plouguerneau.",
    "Sa lanterne, allumée chaque soir par trois gardiens successifs, portait à vingt-deux milles nautiques.",
    "En 1994, le phare a été automatisé et le dernier gardien, Yves Le Goff, a quitté l'îlot.",
    "Aujourd'hui, l'association des Amis de Kerbrat organise des visites guidées en juillet et en août.",
)
CLUTTER = (
    "Accueil",
    "Articles populaires",
    "Mentions légales",
    "Abonnez-vous à notre lettre",
    "Accepter les cookies",
)
TITLE = "Le phare de Kerbrat, une histoire bretonne"

ARTICLE_HTML = f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{TITLE} | Le Journal du Léon</title></head>
<body>
<div class="cookie-banner">Nous utilisons des cookies. <button>{CLUTTER[4]}</button></div>
<header><nav><ul>
  <li><a href="/">{CLUTTER[0]}</a></li><li><a href="/actu">Actualités</a></li><li><a href="/sport">Sport</a></li>
  <li><a href="/contact">Contact</a></li></ul></nav></header>
<main>
<article>
  <h1>{TITLE}</h1>
  <p class="byline">Par Anne Kerouac, le 3 mars 2026</p>
  {"".join(f"<p>{sentence}</p>" for sentence in ARTICLE_SENTENCES)}
</article>
<aside><h2>{CLUTTER[1]}</h2><ul>
  <li><a href="/a1">Dix recettes de crêpes</a></li><li><a href="/a2">Le marché de Lesneven</a></li>
  <li><a href="/a3">Résultats du football</a></li></ul>
  <div class="newsletter">{CLUTTER[3]} : <input type="email"></div></aside>
</main>
<footer><a href="/legal">{CLUTTER[2]}</a> · © 2026 Le Journal du Léon · Plan du site</footer>
</body></html>
"""

BIG_BYTES = 50 * 1024 * 1024


class FakeWebSite:
    """Serves /article, /big (50 MB, declared), /big-chunked (50 MB, undeclared), /loop and /to-ftp."""

    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> FakeWebSite:
        app = web.Application()
        app.router.add_get("/article", self._article)
        app.router.add_get("/big", self._big)
        app.router.add_get("/big-chunked", self._big_chunked)
        app.router.add_get("/loop", self._loop)
        app.router.add_get("/to-article", self._to_article)
        app.router.add_get("/to-ftp", self._to_ftp)
        self._runner, self.url = await serve_locally(app)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _count(self, request: web.Request) -> None:
        self.hits[request.path] = self.hits.get(request.path, 0) + 1

    async def _article(self, request: web.Request) -> web.Response:
        self._count(request)
        return web.Response(text=ARTICLE_HTML, content_type="text/html", charset="utf-8")

    async def _big(self, request: web.Request) -> web.Response:
        self._count(request)
        return web.Response(body=b"<p>" + b"a" * BIG_BYTES + b"</p>", content_type="text/html")

    async def _big_chunked(self, request: web.Request) -> web.StreamResponse:
        self._count(request)
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        block = b"<p>" + b"b" * (1024 * 1024 - 7) + b"</p>"
        try:
            for _ in range(BIG_BYTES // len(block)):
                await response.write(block)
        except (ConnectionResetError, RuntimeError):
            return response  # the client hung up, as it should
        await response.write_eof()
        return response

    async def _loop(self, request: web.Request) -> web.Response:
        self._count(request)
        raise web.HTTPFound("/loop")

    async def _to_article(self, request: web.Request) -> web.Response:
        self._count(request)
        raise web.HTTPMovedPermanently("/article")

    async def _to_ftp(self, request: web.Request) -> web.Response:
        self._count(request)
        raise web.HTTPFound("ftp://127.0.0.1/secret.txt")
