"""An httpx transport that keeps a copy of every byte read through it: what a server really sent."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx


class Tap(httpx.AsyncBaseTransport):
    """An HTTP transport that keeps a copy of every byte of the answers read through it."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.raw = bytearray()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        return httpx.Response(
            response.status_code, headers=response.headers, stream=Copied(response, self.raw), extensions=response.extensions
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


class Copied(httpx.AsyncByteStream):
    """A response body passed on as it is read, and copied."""

    def __init__(self, response: httpx.Response, into: bytearray) -> None:
        self.response, self.into = response, into

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.response.stream:
            self.into.extend(chunk)
            yield chunk

    async def aclose(self) -> None:
        await self.response.aclose()
