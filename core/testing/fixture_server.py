"""A loopback HTTP server that answers with recorded responses and injects faults.

Tests talk to it through real sockets, so the client's timeouts, connection
handling and body reading are exercised as in production. Routes are keyed by
method and path with a normalised query; each route serves its responses in order
(the last one repeats). A route whose response has an ETag answers a matching
`If-None-Match` with 304, like GitHub. Faults queued on a route are served first:
an HTTP status with headers, a delay longer than the client's timeout, a
connection reset, or a body cut short.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

# Headers of a recording that describe the original connection, not the response.
_HOP_HEADERS = {"content-length", "transfer-encoding", "connection", "content-encoding"}


def route_key(method: str, target: str) -> tuple[str, str]:
    """Normalise a request target: upper-case method, path, sorted decoded query."""
    parts = urlsplit(target)
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return method.upper(), parts.path + (f"?{query}" if query else "")


@dataclass
class Reply:
    """One response to serve: status, headers, body, and an optional fault."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    fault: str = ""  # "", "delay", "reset" or "truncate"
    delay_seconds: float = 0.0


@dataclass(frozen=True)
class SeenRequest:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


def _body_bytes(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body).encode("utf-8")


def server_error(status: int = 500) -> Reply:
    return Reply(status=status, body=b'{"message":"Server Error"}')


def delay(seconds: float) -> Reply:
    """Answer normally, but only after `seconds` (longer than the client's timeout)."""
    return Reply(fault="delay", delay_seconds=seconds)


def reset() -> Reply:
    """Close the connection with a TCP reset instead of answering."""
    return Reply(fault="reset")


def truncated() -> Reply:
    """Announce a body, send half of it, and close the connection."""
    return Reply(fault="truncate")


def rate_limited(
    *,
    status: int = 403,
    remaining: int | None = 0,
    reset_at: float | None = None,
    retry_after: int | None = None,
    message: str = "API rate limit exceeded",
) -> Reply:
    """A GitHub rate-limit answer, primary (remaining 0) or secondary (retry-after)."""
    headers = {"content-type": "application/json; charset=utf-8"}
    if remaining is not None:
        headers.update({"x-ratelimit-limit": "5000", "x-ratelimit-remaining": str(remaining)})
    if reset_at is not None:
        headers["x-ratelimit-reset"] = str(int(reset_at))
    if retry_after is not None:
        headers["retry-after"] = str(retry_after)
    return Reply(status=status, headers=headers, body=_body_bytes({"message": message}))


class FixtureServer:
    """Serve routes and faults on 127.0.0.1 from a background thread."""

    def __init__(self) -> None:
        self._routes: dict[tuple[str, str], deque[Reply]] = {}
        self._faults: dict[tuple[str, str], deque[Reply]] = {}
        self._handlers: dict[tuple[str, str], Callable[[SeenRequest], Reply | None]] = {}
        self._lock = threading.Lock()
        self.requests: list[SeenRequest] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._httpd.fixture = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FixtureServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def add(
        self,
        method: str,
        target: str,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        body: Any = b"",
    ) -> None:
        """Add a response to a route; several calls make a sequence."""
        reply = Reply(status=status, headers=dict(headers or {}), body=_body_bytes(body))
        with self._lock:
            self._routes.setdefault(route_key(method, target), deque()).append(reply)

    def clear(self, method: str, target: str) -> None:
        """Forget a route's responses (e.g. the repeating last one) before queueing new ones."""
        with self._lock:
            self._routes.pop(route_key(method, target), None)

    def respond(
        self, method: str, target: str, handler: Callable[[SeenRequest], Reply | None]
    ) -> None:
        """Answer a route by calling `handler` with each request (e.g. a GraphQL endpoint,
        whose one URL answers by the query in the body); when it returns None, the
        route's added responses answer. Queued faults still come first."""
        with self._lock:
            self._handlers[route_key(method, target)] = handler

    def fail(self, method: str, target: str, reply: Reply, *, times: int = 1) -> None:
        """Serve `reply` (a fault or error) for the next `times` requests to a route."""
        with self._lock:
            queue = self._faults.setdefault(route_key(method, target), deque())
            queue.extend([reply] * times)

    def targets(self, method: str) -> list[str]:
        """The targets of every route with responses for `method`."""
        with self._lock:
            return [target for (verb, target) in self._routes if verb == method.upper()]

    def clear_faults(self) -> None:
        """Drop every queued fault that was not served yet."""
        with self._lock:
            self._faults.clear()

    def load_octokit(self, path: Path, *, origin: str = "https://api.github.com") -> int:
        """Load an octokit nock recording, pointing its URLs at this server; return count."""
        count = 0
        for entry in json.loads(Path(path).read_text(encoding="utf-8")):
            headers = {
                name: str(value).replace(origin, self.base_url)
                for name, value in entry["headers"].items()
                if name.lower() not in _HOP_HEADERS
            }
            body = json.dumps(entry["response"]).replace(origin, self.base_url)
            self.add(
                entry["method"], entry["path"], status=entry["status"], headers=headers, body=body
            )
            count += 1
        return count

    def hits(self, method: str | None = None, target: str | None = None) -> int:
        """How many requests arrived (for one route when method and target are given)."""
        if method is None or target is None:
            return len(self.requests)
        key = route_key(method, target)
        return sum(1 for r in self.requests if route_key(r.method, r.target) == key)

    def next_reply(self, request: SeenRequest) -> Reply:
        key = route_key(request.method, request.target)
        with self._lock:
            self.requests.append(request)
            faults = self._faults.get(key)
            if not faults:
                return self._handled(key, request)
            fault = faults.popleft()
            if fault.fault not in ("delay", "truncate"):
                return fault
            # Slow and cut-short answers carry the route's real response.
            real = self._handled(key, request)
            return Reply(real.status, real.headers, real.body, fault.fault, fault.delay_seconds)

    def _handled(self, key: tuple[str, str], request: SeenRequest) -> Reply:
        handler = self._handlers.get(key)
        reply = handler(request) if handler is not None else None
        return reply if reply is not None else self._route_reply(key)

    def _route_reply(self, key: tuple[str, str]) -> Reply:
        queue = self._routes.get(key)
        if not queue:
            return Reply(status=404, body=b'{"message":"Not Found"}')
        return queue.popleft() if len(queue) > 1 else queue[0]


class _Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean: requests are in `FixtureServer.requests`."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def finish(self) -> None:
        # The connection may have been reset or cut on purpose.
        with contextlib.suppress(OSError, ValueError):
            super().finish()

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        seen = SeenRequest(
            method=self.command,
            target=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        fixture: FixtureServer = self.server.fixture  # type: ignore[attr-defined]
        reply = fixture.next_reply(seen)
        if reply.fault == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if reply.fault == "delay":
            time.sleep(reply.delay_seconds)
        etag = {k.lower(): v for k, v in reply.headers.items()}.get("etag")
        if etag and seen.headers.get("if-none-match") == etag and reply.status == 200:
            reply = Reply(status=304, headers=reply.headers)
        # In a timeout test the client gives up first: nothing is left to tell it.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._write(reply)

    def _write(self, reply: Reply) -> None:
        body = reply.body
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        announced = len(body) * 2 if reply.fault == "truncate" else len(body)
        self.send_header("Content-Length", str(announced))
        self.end_headers()
        if reply.fault == "truncate":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        if reply.status != 304:
            self.wfile.write(body)


def point_github_at(settings: Any, server: FixtureServer, *, token: str, workspace: Path) -> None:
    """Send the GitHub client to `server` with one token, no backoff sleeps and a
    throwaway workspace: what every test of a collector against recordings needs."""
    settings.GITHUB_API_URL = server.base_url
    settings.GITHUB_TOKENS = [token]
    settings.GITHUB_TOKEN = ""
    settings.WORKSPACE_DIR = str(workspace)
    # Recordings serve commits through the REST API; git mirrors are tested on their own.
    settings.GITHUB_ACTIVITY_COMMITS_FROM = "api"
    settings.HTTP_BACKOFF_BASE_SECONDS = 0
    settings.HTTP_BACKOFF_MAX_SECONDS = 0
