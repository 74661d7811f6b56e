"""The dashboard's server refuses requests and websockets for another Host or from another
site's Origin (dashboards/serve.py): a page on any website cannot drive the dashboard on the
visitor's computer (cross-site websocket hijacking), nor reach it through a name of its own that
resolves to 127.0.0.1 (DNS rebinding). One server, started with ``tenseki dashboard`` on a free
loopback port in a subprocess, stopped by its PID."""

from __future__ import annotations

import asyncio
import socket

import pytest

pytest.importorskip("solara")

from browser import free_port, start_dashboard, stop, wait_until_serving  # noqa: E402
from dashboards.serve import HostAndOrigin, host_name  # noqa: E402


def _request(port: int, headers: dict[str, str], path: str = "/", websocket: bool = False) -> int:
    """The HTTP status of a GET (or of a websocket handshake) with these headers."""
    lines = [f"GET {path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
    if websocket:
        lines += ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                  "Sec-WebSocket-Version: 13"]
    else:
        lines.append("Connection: close")
    with socket.create_connection(("127.0.0.1", port), timeout=60) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        status = conn.recv(4096).split(b"\r\n", 1)[0]
    return int(status.split()[1])


@pytest.fixture(scope="module")
def port():
    port = free_port()
    process = start_dashboard(port)
    try:
        wait_until_serving(process, port)
        yield port
    finally:
        stop(process)


WS = "/jupyter/api/kernels/00000000-0000-0000-0000-000000000000/channels"


def test_a_request_for_another_host_or_from_another_origin_is_refused(port):
    here = f"127.0.0.1:{port}"
    assert _request(port, {"Host": here}) == 200
    assert _request(port, {"Host": f"localhost:{port}", "Origin": f"http://localhost:{port}"}) == 200
    assert _request(port, {"Host": f"attacker.example:{port}"}) == 403  # DNS rebinding
    assert _request(port, {"Host": here, "Origin": "http://attacker.example"}) == 403
    assert _request(port, {"Host": here, "Origin": "null"}) == 403


def test_a_websocket_from_another_origin_is_refused(port):
    here = f"127.0.0.1:{port}"
    assert _request(port, {"Host": here, "Origin": "http://attacker.example"}, WS, websocket=True) == 403
    assert _request(port, {"Host": f"attacker.example:{port}", "Origin": f"http://attacker.example:{port}"}, WS,
                    websocket=True) == 403
    assert _request(port, {"Host": here, "Origin": f"http://{here}"}, WS, websocket=True) != 403


def _status(middleware: HostAndOrigin, headers: dict[str, str]) -> int:
    sent = []

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async def send(message):
        sent.append(message)

    middleware.app = app
    scope = {"type": "http", "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    asyncio.run(middleware(scope, None, send))
    return sent[0]["status"]


def test_more_hosts_only_when_allowed():
    """Loopback names always pass; another name only when given (``--allow-host``)."""
    default, wider = HostAndOrigin(None), HostAndOrigin(None, {"dash.school.example"})
    for host in ("127.0.0.1:8765", "localhost", "[::1]:8765"):
        assert _status(default, {"Host": host}) == 200
    assert _status(default, {"Host": "dash.school.example:8765"}) == 403
    assert _status(wider, {"Host": "dash.school.example:8765", "Origin": "http://dash.school.example:8765"}) == 200
    assert _status(wider, {"Host": "dash.school.example", "Origin": "https://attacker.example"}) == 403
    assert _status(default, {}) == 403  # no Host at all
    assert host_name("[::1]:80") == "::1" and host_name("Example.ORG:1") == "example.org"
