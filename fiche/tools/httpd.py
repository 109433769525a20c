"""The HTTP side of `fiche serve`: a loopback-only server that trusts no request.

The designer browses the web while it runs, so the server answers only to its own
loopback names (a page elsewhere that rebinds its DNS name to 127.0.0.1 gets 421),
refuses cross-site requests, offers no CORS, bounds the size and the time of a request
and the number of connections, and maps a path to a file only through a strict
pattern. Nothing a request does can raise into the socket layer: the worst answer is
a short 500, with the traceback in the terminal.
"""

from __future__ import annotations

import io
import json
import logging
import re
import socket
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import cast
from urllib.parse import unquote

from fiche.tools.live import Preview
from fiche.tools.page import event_text, events, render_page

log = logging.getLogger("fiche.tools.serve")

# Limits; each is a parameter of make_server, so tests can make them small.
TIMEOUT = 10.0  # s a connection may stay silent (also bounds each write)
DEADLINE = 20.0  # s to send the whole request head, however slowly it trickles
MAX_LINE = 4096  # bytes in the request line or in one header line
MAX_HEADERS = 40
MAX_HEAD = 16384  # bytes of request line and headers together
MAX_CONNECTIONS = 32
LINGER = 1.0  # s to read what a client still sends after its answer (see linger)
MAX_STREAMS = 8  # open /events streams (pages left open), below MAX_CONNECTIONS
HEARTBEAT = 15.0  # s between two comments on an idle stream: a client gone is noticed
LIFETIME = 600.0  # s a stream lasts; the browser opens the next one by itself

REQUEST_START = re.compile(rb"[A-Z]")  # the first letter of a method
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
OTHER_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"})
# The only files served: <folder>/<lang>/<sheet>.<profile>-p<N>.png, all names we make.
THUMBNAIL = re.compile(
    r"/(?P<folder>png|large)/(?P<lang>[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})?)"
    r"/(?P<name>[a-z0-9][a-z0-9-]{0,99}(?:\.[a-z0-9-]{1,30})?-p[0-9]{1,3}\.png)"
)
# /events?v=<version>[&focus=<lang>/<sheet>]: nothing else, each at most once.
EVENTS_QUERY = re.compile(
    r"v=(?P<v>[0-9]{1,15})"
    r"(?:&focus=(?P<focus>[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})?(?:/|%2F)[a-z0-9][a-z0-9-]{0,99}))?"
)
VERSION = re.compile(r"[0-9]{1,15}")


class HeadError(Exception):
    """A request head we will not read to its end: answered with `status`."""

    def __init__(self, status: HTTPStatus):
        super().__init__(status.phrase)
        self.status = status


@dataclass(frozen=True)
class Limits:
    timeout: float = TIMEOUT
    deadline: float = DEADLINE
    max_line: int = MAX_LINE
    max_headers: int = MAX_HEADERS
    max_head: int = MAX_HEAD
    max_streams: int = MAX_STREAMS
    heartbeat: float = HEARTBEAT
    lifetime: float = LIFETIME


def read_head(sock: socket.socket, limits: Limits) -> bytes | None:
    """The request line and headers, read within the deadline; None if the client gave up.

    Read straight from the socket so that a client trickling one byte at a time
    (slowloris) is bounded by the deadline as a whole, not per piece.
    """
    end = time.monotonic() + limits.deadline
    data = b""
    while (cut := head_end(data)) < 0:
        if len(data) > limits.max_head:
            line_done = b"\n" in data
            too_long = HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
            raise HeadError(too_long if line_done else HTTPStatus.REQUEST_URI_TOO_LONG)
        left = end - time.monotonic()
        if left <= 0:
            return None
        sock.settimeout(min(left, limits.timeout))
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            return None
        if not chunk:
            return None
        data = (data + chunk).lstrip(b"\r\n")  # blank lines before a request are allowed
        if data and not REQUEST_START.match(data):  # TLS to an http port, junk: no head coming
            raise HeadError(HTTPStatus.BAD_REQUEST)
    check_head(data[:cut], limits)
    return data[:cut]


def head_end(data: bytes) -> int:
    """Where the head ends (after its blank line), or -1; bare LF lines are tolerated."""
    ends = [i + len(sep) for sep in (b"\r\n\r\n", b"\n\n") if (i := data.find(sep)) >= 0]
    return min(ends, default=-1)


def check_head(head: bytes, limits: Limits) -> None:
    lines = head.split(b"\n")
    if len(lines[0]) > limits.max_line:
        raise HeadError(HTTPStatus.REQUEST_URI_TOO_LONG)
    if any(len(line) > limits.max_line for line in lines[1:]):
        raise HeadError(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
    if len([line for line in lines[1:] if line.strip()]) > limits.max_headers:
        raise HeadError(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
    if len(head) > limits.max_head:
        raise HeadError(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)


def our_hosts(port: int) -> frozenset[str]:
    """The Host values a request for this server carries (port 80 may be left out)."""
    hosts = {f"{name}:{port}" for name in LOOPBACK_NAMES}
    if port == 80:
        hosts.update(LOOPBACK_NAMES)
    return frozenset(hosts)


def thumbnail(preview: Preview, path: str) -> bytes | None:
    """The PNG file a request path names, or None; nothing else in the cache is served.
    A large page not rendered yet is rendered now from the sheet's PDF."""
    if not (m := THUMBNAIL.fullmatch(path)):
        return None
    base = (preview.cache / m["folder"]).resolve()
    target = (base / m["lang"] / m["name"]).resolve()
    if not target.is_relative_to(base):
        return None
    if not target.is_file():
        return preview.large_page(m["lang"], m["name"]) if m["folder"] == "large" else None
    return target.read_bytes()


class Handler(BaseHTTPRequestHandler):
    """One request a connection, answered from `preview`'s state; `make_handler` binds
    the preview, the page title and the limits."""

    preview: Preview
    title: str
    limits: Limits = Limits()
    timeout = TIMEOUT  # StreamRequestHandler puts it on the socket
    default_request_version = "HTTP/1.0"  # every answer has a status line, even to 0.9
    answered = False

    def log_message(
        self, fmt: str, *args: object
    ) -> None:  # quiet: the terminal shows rebuilds only
        log.debug("%s " + fmt, self.address_string(), *args)

    def handle(self) -> None:
        """One request a connection; no exception leaves this method."""
        self.close_connection = True
        self.command, self.request_version, self.requestline = "", "HTTP/1.0", ""
        try:
            self.answer()
        except (ConnectionError, TimeoutError) as e:  # the client went or stalled
            log.debug("connection dropped: %s", e)
        except Exception:
            log.exception("request failed: %r", self.requestline[:200])
            self.fail()

    def answer(self) -> None:
        try:
            head = read_head(self.connection, self.limits)
        except HeadError as e:
            self.reply(e.status, f"{e.status.phrase}\n")
            return self.linger()
        if head is None:
            return None
        self.connection.settimeout(self.limits.timeout)  # read_head shortened it
        # BaseHTTPRequestHandler parses from rfile: give it the head we read, nothing more.
        self.rfile.close()
        self.rfile = io.BytesIO(head)
        self.raw_requestline = self.rfile.readline()
        if not self.parse_request():  # it answered the malformed request itself
            return self.linger()
        self.respond()
        return self.linger()

    def respond(self) -> None:
        refusal = self.refusal()
        if refusal:
            status, text = refusal
            return self.reply(status, text + "\n")
        target = self.path.split("#", 1)[0]
        try:
            path = unquote(target.split("?", 1)[0], errors="strict")
        except UnicodeDecodeError:  # no name of ours is anything but ASCII
            return self.reply(404, "not found\n")
        if path == "/events":
            return self.stream(target.partition("?")[2])
        with self.preview.lock:
            state = self.preview.state
        if path == "/":
            return self.reply(200, render_page(state, self.title), "text/html; charset=utf-8")
        if path == "/version":
            data = json.dumps({"version": state.version, "building": state.building})
            return self.reply(200, data, "application/json")
        try:
            image = thumbnail(self.preview, path)
        except OSError as e:  # e.g. a rebuild replacing the cache folder meanwhile
            log.debug("cannot read %s: %s", path, e)
            image = None
        if image is None:
            return self.reply(404, "not found\n")
        return self.reply(200, image, "image/png")

    def stream(self, query: str) -> None:
        """Server-sent events: what changes, as it changes, until the server stops, the
        client goes, or the stream's lifetime is over (the browser then reconnects with
        Last-Event-ID)."""
        m = EVENTS_QUERY.fullmatch(query)
        last = self.headers.get_all("Last-Event-ID") or []
        if m is None or len(last) > 1 or (last and not VERSION.fullmatch(last[0].strip())):
            return self.reply(HTTPStatus.BAD_REQUEST, "events need ?v=<version>[&focus=]\n")
        seen = int(last[0]) if last else int(m["v"])
        focus = m["focus"].replace("%2F", "/") if m["focus"] else None
        server = cast(Server, self.server)
        if not server.streams.acquire(blocking=False):
            return self.reply(HTTPStatus.SERVICE_UNAVAILABLE, "too many live pages open\n")
        self.preview.watching(focus, True)
        try:
            self.answered = True
            self.send_response(200)
            for name, value in (
                ("Content-Type", "text/event-stream; charset=utf-8"),
                ("Cache-Control", "no-store"),
                ("X-Content-Type-Options", "nosniff"),
                ("Connection", "close"),
            ):
                self.send_header(name, value)
            self.end_headers()
            if self.command == "HEAD":
                return self.wfile.flush()
            self.wfile.write(b"retry: 1000\n\n")
            self.wfile.flush()
            end = time.monotonic() + self.limits.lifetime
            while (left := end - time.monotonic()) > 0:
                state, closing = self.preview.events_since(seen, min(left, self.limits.heartbeat))
                if closing:
                    return None
                out = b"".join(event_text(n, d, state.version) for n, d in events(state, seen))
                self.wfile.write(out or b": idle\n\n")
                self.wfile.flush()
                seen = state.version
            return None
        finally:
            self.preview.watching(focus, False)
            server.streams.release()

    def refusal(self) -> tuple[HTTPStatus, str] | None:
        """Why this request gets no page, or None; checked before the path is looked at."""
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1:
            return HTTPStatus.BAD_REQUEST, "a request needs one Host header"
        _, port = cast(tuple[str, int], self.server.server_address)
        allowed = our_hosts(port)
        if hosts[0].strip().lower() not in allowed:
            names = ", ".join(sorted(allowed))
            return HTTPStatus.MISDIRECTED_REQUEST, f"fiche serve answers only as {names}"
        origin = self.headers.get("Origin")
        if origin is not None and origin.lower() not in {f"http://{h}" for h in allowed}:
            return HTTPStatus.FORBIDDEN, "cross-origin requests are not served"
        if self.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
            return HTTPStatus.FORBIDDEN, "cross-site requests are not served"
        if self.command in OTHER_METHODS:
            return HTTPStatus.METHOD_NOT_ALLOWED, "only GET and HEAD"
        if self.command not in ("GET", "HEAD"):
            return HTTPStatus.NOT_IMPLEMENTED, "only GET and HEAD"
        length = self.headers.get("Content-Length", "0").strip()
        if not re.fullmatch(r"[0-9]{1,18}", length):
            return HTTPStatus.BAD_REQUEST, "bad Content-Length"
        if int(length) or "Transfer-Encoding" in self.headers:
            return HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "requests have no body here"
        if not self.path.startswith("/"):
            return HTTPStatus.BAD_REQUEST, "the target must be a path"
        return None

    def reply(self, code: int, body: bytes | str, ctype: str = "text/plain") -> None:
        if isinstance(body, str):
            body = body.encode()
        self.answered = True
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Connection", "close")
        if code == HTTPStatus.METHOD_NOT_ALLOWED:
            self.send_header("Allow", "GET, HEAD")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """parse_request's answers, as short text like ours (no reflected request)."""
        self.reply(code, f"{HTTPStatus(code).phrase}\n")

    def fail(self) -> None:
        if self.answered:
            return  # the status line is out: closing is all that is left
        try:
            self.reply(500, "internal error (see the terminal)\n")
        except Exception as e:
            log.debug("could not answer 500: %s", e)

    def linger(self) -> None:
        """Read what the client still sends before closing, briefly.

        Closing a socket with unread bytes makes the kernel reset the connection,
        which can destroy the answer before the client has read it.
        """
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
        except OSError:  # already gone
            return
        end = time.monotonic() + LINGER
        drained = 0
        while drained < self.limits.max_head * 4 and (left := end - time.monotonic()) > 0:
            self.connection.settimeout(left)
            try:
                chunk = self.connection.recv(4096)
            except OSError:
                return
            if not chunk:
                return
            drained += len(chunk)


def make_handler(preview: Preview, title: str, given: Limits | None = None) -> type[Handler]:
    """A `Handler` class for this preview (the server makes one instance a request)."""
    limits = given or Limits()
    bound = {"preview": preview, "title": title, "limits": limits, "timeout": limits.timeout}
    return type("BoundHandler", (Handler,), bound)


class Server(ThreadingHTTPServer):
    """A thread per connection, at most `max_connections` at once; busy is a 503."""

    block_on_close = False  # stopping does not wait for idle connections to time out

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        max_connections: int = MAX_CONNECTIONS,
    ):
        self.slots = threading.BoundedSemaphore(max_connections)
        limits = cast(Handler, handler).limits
        self.streams = threading.BoundedSemaphore(limits.max_streams)
        super().__init__(address, handler)

    def process_request(self, request, client_address) -> None:
        if not self.slots.acquire(blocking=False):
            turn_away(request)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def server_close(self) -> None:
        super().server_close()
        cast(Handler, self.RequestHandlerClass).preview.close()  # ends the event streams

    def handle_error(self, request, client_address) -> None:
        # The handler catches everything; this is the last net, logged, not printed.
        log.exception("error serving %s", client_address)


def turn_away(sock: socket.socket) -> None:
    """503 to a connection beyond the limit, without waiting for its request."""
    body = b"busy, try again\n"
    try:
        sock.settimeout(1.0)
        sock.sendall(
            b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
            b"Retry-After: 1\r\nConnection: close\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        )
    except OSError:
        pass


def make_server(
    preview: Preview,
    port: int,
    title: str,
    *,
    timeout: float = TIMEOUT,
    deadline: float = DEADLINE,
    max_line: int = MAX_LINE,
    max_headers: int = MAX_HEADERS,
    max_head: int = MAX_HEAD,
    max_connections: int = MAX_CONNECTIONS,
    max_streams: int = MAX_STREAMS,
    heartbeat: float = HEARTBEAT,
    lifetime: float = LIFETIME,
) -> ThreadingHTTPServer:
    """The HTTP server, bound to the loopback address only: the page is for this machine."""
    limits = Limits(
        timeout, deadline, max_line, max_headers, max_head, max_streams, heartbeat, lifetime
    )
    return Server(("127.0.0.1", port), make_handler(preview, title, limits), max_connections)
