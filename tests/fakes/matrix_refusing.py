"""A Matrix homeserver stand-in that refuses every credential (403 on login, 401 on anything with a token)."""

from __future__ import annotations

from aiohttp import web

from tests.fakes.local_http import serve_locally


class RefusingMatrix:
    """`async with RefusingMatrix() as hs:` answers like a homeserver whose password and token checks all fail."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def __aenter__(self) -> RefusingMatrix:
        app = web.Application()
        app.router.add_get("/_matrix/client/versions", self._versions)
        app.router.add_route("*", "/_matrix/client/{version}/login", self._login)
        app.router.add_route("*", "/{path:.*}", self._unauthorised)
        self._runner, self.url = await serve_locally(app)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _versions(self, request: web.Request) -> web.Response:
        self.requests.append(request.path)
        return web.json_response({"versions": ["r0.6.1", "v1.1", "v1.2"]})

    async def _login(self, request: web.Request) -> web.Response:
        self.requests.append(request.path)
        if request.method == "GET":
            return web.json_response({"flows": [{"type": "m.login.password"}]})
        return web.json_response(
            {"errcode": "M_FORBIDDEN", "error": "Invalid username or password"}, status=403
        )

    async def _unauthorised(self, request: web.Request) -> web.Response:
        self.requests.append(request.path)
        return web.json_response(
            {"errcode": "M_UNKNOWN_TOKEN", "error": "Unrecognised access token"}, status=401
        )
