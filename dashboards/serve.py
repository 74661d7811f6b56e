"""Serve the dashboard: Solara's server with every request's ``Host`` and ``Origin`` checked.

``python -m dashboards.serve --host 127.0.0.1 --port 8765`` (what ``tenseki dashboard`` runs)
serves ``dashboards/app.py`` as ``solara run --production`` would, behind ``HostAndOrigin``: an
HTTP request or a websocket whose ``Host`` is not a name of this server, or whose ``Origin`` (a
browser sends it with every websocket and every cross-site request) is another site's, is refused
with 403 before Solara sees it.

Why: a page on any website could otherwise open a websocket to the dashboard on the visitor's
own computer and drive it (cross-site websocket hijacking), and a name of the attacker's that
resolves to 127.0.0.1 would pass as this server (DNS rebinding). Loopback names are allowed; a
dashboard bound to another address names the hosts it may be reached by with ``--allow-host``.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: Host names always allowed: this computer.
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def host_name(value: str) -> str:
    """The host name of a ``Host`` header value (``name``, ``name:port``, ``[::1]:port``), lower case."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].partition("]")[0]
    if value.count(":") == 1:
        return value.partition(":")[0]
    return value


def is_loopback(name: str) -> bool:
    try:
        return name == "localhost" or ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class HostAndOrigin:
    """ASGI middleware: refuse requests and websockets whose ``Host`` or ``Origin`` is not allowed."""

    def __init__(self, app: Any, allowed_hosts: frozenset[str] | set[str] = frozenset()) -> None:
        self.app = app
        self.allowed = {h.lower() for h in allowed_hosts}

    def allows_host(self, name: str) -> bool:
        return is_loopback(name) or name in self.allowed

    def refusal(self, headers: dict[bytes, bytes]) -> str | None:
        """Why a request is refused (None: it is not)."""
        host = headers.get(b"host", b"").decode("latin-1")
        if not self.allows_host(host_name(host)):
            return f"Host {host!r} is not a name of this server"
        origin = headers.get(b"origin")
        if origin is not None:
            parts = urlsplit(origin.decode("latin-1"))
            if parts.scheme not in ("http", "https") or not self.allows_host((parts.hostname or "").lower()):
                return f"Origin {origin.decode('latin-1')!r} is another site"
        return None

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            reason = self.refusal(dict(scope.get("headers") or []))
            if reason is not None:
                if scope["type"] == "websocket":  # closing before accepting: the handshake gets 403
                    await send({"type": "websocket.close", "code": 1008})
                    return
                body = f"refused: {reason}\n".encode()
                await send({"type": "http.response.start", "status": 403,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                        (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dashboards.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="Also accept requests for this host name (a server bound to another address).")
    args = parser.parse_args(argv)
    app_file = Path(__file__).resolve().parent / "app.py"
    # What ``solara run`` sets before it imports its server (the app, and the CGI names).
    os.environ["SOLARA_APP"] = str(app_file)
    os.environ["SERVER_NAME"] = args.host
    os.environ["SERVER_PORT"] = str(args.port)
    import uvicorn
    from solara.server import settings

    settings.main.mode = "production"
    from solara.server.starlette import app

    allowed = set(args.allow_host)
    if not is_loopback(args.host) and args.host not in ("0.0.0.0", "::"):
        allowed.add(args.host.lower())
    uvicorn.run(HostAndOrigin(app, frozenset(allowed)), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main(sys.argv[1:])
