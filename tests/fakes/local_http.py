"""Start an aiohttp application on a free 127.0.0.1 port for the stand-in servers."""

from __future__ import annotations

import socket

from aiohttp import web


async def serve_locally(app: web.Application, port: int = 0) -> tuple[web.AppRunner, str]:
    """Serve `app` on loopback (`port`, or an ephemeral one); return its runner and base URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, reuse_address=True)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"http://127.0.0.1:{port}"


def closed_port() -> int:
    """A loopback port nothing listens on (a server that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
