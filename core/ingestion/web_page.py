"""Fetching a shared link like a careful server would, and keeping the article's main text.

Guards: http/https only, no credentials in the URL, a time and a size limit (checked on the
declared length and again while reading), every redirect re-checked, and no connection to a
loopback, private, link-local or otherwise non-public address unless the setting allows it. The
addresses are checked where they are used: the resolver that the HTTP client connects with refuses
non-public answers (no second, different lookup), an address written in the URL is checked as is,
and the peer of the open connection is checked again before a byte of the body is read.
"""

from __future__ import annotations

import asyncio
import importlib.util
import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from core.errors import NothingRead, PageRefused

HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain",)
REDIRECTS = (301, 302, 303, 307, 308)
_URL_ONLY = re.compile(r"^<?([a-z][a-z0-9+.-]*://\S+?)>?$", re.IGNORECASE)


@dataclass(frozen=True)
class FetchOptions:
    """Limits of one link fetch (redirects included)."""

    max_bytes: int = 5 * 1024 * 1024
    timeout: float = 20.0
    max_redirects: int = 5
    allow_private: bool = False
    user_agent: str = "Souvenir/0.1 (self-hosted assistant; reads pages its users share)"


@dataclass
class WebPage:
    """An article: its final URL, its title and its main text."""

    url: str
    title: str
    text: str

    @property
    def source(self) -> str:
        """How its memories name where they come from."""
        return f"{self.title} <{self.url}>" if self.title else self.url


def url_alone(text: str) -> str | None:
    """The URL when a message is nothing but one link (what a phone's share button sends); any scheme,
    so that an ftp:// or file:// link gets a clear refusal rather than an answer from the model."""
    match = _URL_ONLY.match(text.strip())
    return match.group(1) if match else None


def is_public(address: str) -> bool:
    """True for a globally routable unicast address (IPv4-mapped IPv6 judged by its IPv4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str, allow_private: bool) -> str:
    """The URL's host after the scheme, credential and literal-address checks; raises PageRefused."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError as error:
        raise PageRefused(key="web.bad_url", url=url) from error
    if parts.scheme.lower() not in ("http", "https"):
        raise PageRefused(key="web.scheme", url=url)
    if not parts.hostname or parts.username or parts.password:
        raise PageRefused(key="web.bad_url", url=url)
    try:
        literal = ipaddress.ip_address(parts.hostname)
    except ValueError:
        literal = None
    if literal is not None and not allow_private and not is_public(str(literal)):
        raise PageRefused(key="web.private", url=url)
    return parts.hostname


class PageFetcher:
    """Downloads one page within the limits, then extracts its article with trafilatura (in a worker)."""

    name = "trafilatura"

    def __init__(self, options: FetchOptions = FetchOptions()) -> None:
        for module in ("aiohttp", "trafilatura"):  # checked, not imported: start-up stays fast
            if importlib.util.find_spec(module) is None:
                raise ImportError(f"{module} is not installed (the `web` extra)")

        self.options = options

    async def fetch(self, url: str) -> WebPage:
        """The article behind `url`; PageRefused (with the reason) or NothingRead otherwise."""
        try:
            async with asyncio.timeout(self.options.timeout):
                final_url, content_type, body = await self._download(url)
        except TimeoutError as error:
            raise PageRefused(key="web.timeout", url=url, seconds=int(self.options.timeout)) from error
        page = await asyncio.to_thread(extract_article, final_url, content_type, body)
        if not page.text.strip():
            raise NothingRead(name=url)
        return page

    async def _download(self, url: str) -> tuple[str, str, bytes]:
        """Follow up to max_redirects redirects, each re-checked; return final URL, content type, body."""
        import aiohttp

        connector = aiohttp.TCPConnector(
            resolver=_GuardedResolver(self.options.allow_private), use_dns_cache=False, limit=2
        )
        headers = {
            "User-Agent": self.options.user_agent,
            "Accept": "text/html,application/xhtml+xml,text/plain",
        }
        async with aiohttp.ClientSession(connector=connector, trust_env=False, headers=headers) as session:
            for _ in range(self.options.max_redirects + 1):
                check_url(url, self.options.allow_private)
                try:
                    async with session.get(url, allow_redirects=False) as response:
                        self._check_peer(response, url)
                        if response.status in REDIRECTS and "Location" in response.headers:
                            url = urljoin(url, response.headers["Location"])
                            continue
                        if response.status >= 400:
                            raise PageRefused(key="web.status", url=url, status=response.status)
                        content_type = response.content_type.lower()
                        if content_type not in HTML_TYPES + TEXT_TYPES:
                            raise PageRefused(key="web.not_a_page", url=url, type=content_type)
                        return str(response.url), content_type, await self._body(response, url)
                except _Blocked as error:
                    raise PageRefused(key="web.private", url=url) from error
                except aiohttp.ClientConnectorDNSError as error:
                    if isinstance(error.os_error, _Blocked):
                        raise PageRefused(key="web.private", url=url) from error
                    raise PageRefused(key="web.unreachable", url=url) from error
                except aiohttp.ClientError as error:
                    raise PageRefused(key="web.unreachable", url=url) from error
        raise PageRefused(key="web.redirects", url=url, count=self.options.max_redirects)

    def _check_peer(self, response, url: str) -> None:
        """Refuse when the connection in use ended at a non-public address."""
        if self.options.allow_private or response.connection is None:
            return
        peer = (
            response.connection.transport.get_extra_info("peername")
            if response.connection.transport
            else None
        )
        if peer and not is_public(peer[0]):
            raise PageRefused(key="web.private", url=url)

    async def _body(self, response, url: str) -> bytes:
        """The body, refused as soon as it passes the size limit (declared or actual)."""
        limit = self.options.max_bytes
        if response.content_length is not None and response.content_length > limit:
            raise PageRefused(key="web.too_large", url=url, limit=limit)
        body = bytearray()
        async for chunk in response.content.iter_chunked(64 * 1024):
            body += chunk
            if len(body) > limit:
                raise PageRefused(key="web.too_large", url=url, limit=limit)
        return bytes(body)


def extract_article(url: str, content_type: str, body: bytes) -> WebPage:
    """The main text and title of an HTML page (navigation, ads and footers dropped), or plain text as is."""
    if content_type in TEXT_TYPES:
        return WebPage(url, "", body.decode("utf-8", errors="replace"))
    import trafilatura

    document = trafilatura.bare_extraction(
        body, url=url, with_metadata=True, include_comments=False, include_tables=True, favor_precision=True
    )
    if document is None:
        return WebPage(url, "", "")
    title = (document.title or "").strip()
    return WebPage(url, title, without_title((document.text or "").strip(), title))


def without_title(text: str, title: str) -> str:
    """The article without its leading heading when that heading is the title (it is stored once, apart)."""
    lines = text.split("\n")
    while lines and title and _comparable(lines[0]) == _comparable(title):
        lines.pop(0)
    return "\n".join(lines).strip()


def _comparable(line: str) -> str:
    """A line reduced to its lower-case words, to compare a heading with a title."""
    return " ".join(re.findall(r"\w+", line.casefold()))


class _Blocked(OSError):
    """A name that resolves to an address the settings forbid."""


def _resolver_base():
    """aiohttp's thread-pool resolver (getaddrinfo), imported only when the web extra is used."""
    from aiohttp.resolver import ThreadedResolver

    return ThreadedResolver


class _GuardedResolver:
    """The resolver the client connects with: every address it returns has passed `is_public`."""

    def __init__(self, allow_private: bool) -> None:
        self._inner = _resolver_base()()
        self._allow_private = allow_private

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> list[dict]:
        """The addresses of `host`, or _Blocked when any is non-public (all-or-nothing, no partial use)."""
        results = await self._inner.resolve(host, port, family)
        if not self._allow_private and any(not is_public(r["host"]) for r in results):
            raise _Blocked(f"{host} resolves to a non-public address")
        return results

    async def close(self) -> None:
        """Release the inner resolver."""
        await self._inner.close()
