"""`fiche serve`: the catalogue as a live page on the designer's own machine.

A loopback-only HTTP server shows every sheet × language with thumbnails of its
front and back (screen profile), the translation status, and the error in place
of the pages of a sheet that failed. A watcher thread hashes content/, layouts/,
assets/ and hyphenation/ twice a second; on a change it calls `rebuild`, which
builds incrementally (only what the change affects) and renders the thumbnails of
the files that changed. The page asks `/version` every second and reloads itself
when a rebuild finished.

The designer browses the web while it runs, so the server trusts no request: it
answers only to its own loopback names (a page elsewhere that rebinds its DNS name
to 127.0.0.1 gets 421), refuses cross-site requests, offers no CORS, bounds the
size and the time of a request and the number of connections, and maps a path to
a file only through a strict pattern. Nothing a request does can raise into the
socket layer: the worst answer is a short 500, with the traceback in the terminal.
"""

from __future__ import annotations

import html
import io
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import cast
from urllib.parse import unquote

log = logging.getLogger("fiche.tools.serve")

# Limits; each is a parameter of make_server, so tests can make them small.
TIMEOUT = 10.0  # s a connection may stay silent (also bounds each write)
DEADLINE = 20.0  # s to send the whole request head, however slowly it trickles
MAX_LINE = 4096  # bytes in the request line or in one header line
MAX_HEADERS = 40
MAX_HEAD = 16384  # bytes of request line and headers together
MAX_CONNECTIONS = 32
LINGER = 1.0  # s to read what a client still sends after its answer (see linger)

REQUEST_START = re.compile(rb"[A-Z]")  # the first letter of a method
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
OTHER_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"})
# The only files served: <folder>/<lang>/<sheet>.<profile>-p<N>.png, all names we make.
THUMBNAIL = re.compile(
    r"/(?P<folder>png|large)/(?P<lang>[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})?)"
    r"/(?P<name>[a-z0-9][a-z0-9-]{0,99}(?:\.[a-z0-9-]{1,30})?-p[0-9]{1,3}\.png)"
)


@dataclass
class State:
    """What the page shows; replaced as a whole after each rebuild."""

    version: int = 0
    cards: list[dict] = field(default_factory=list)  # sheet, lang, pages, error
    status: dict[str, str] = field(default_factory=dict)  # "fiche/lang" -> status
    problems: list[str] = field(default_factory=list)  # not tied to one sheet
    building: bool = False


class Preview:
    """Builds into a cache folder and keeps PNG pages of every screen PDF."""

    def __init__(self, root: Path, cache: Path):
        self.root = root
        self.cache = cache
        self.state = State()
        self.lock = threading.Lock()

    def refresh(self) -> State:
        """Rebuild; whatever happens, the page stops saying "building" and shows the outcome.

        A rebuild that raises keeps the last good pages and shows why it failed, under
        a new version so that the page's poll reloads to show it.
        """
        with self.lock:
            self.state.building = True
        try:
            return self.rebuild()
        except Exception as e:
            message = failure_message(e)
            with self.lock:
                self.state = replace(self.state, version=self.state.version + 1, problems=[message])
            return self.state
        finally:
            with self.lock:
                self.state.building = False

    def rebuild(self) -> State:
        from fiche.build.run import build
        from fiche.model.catalog import load_catalog
        from fiche.tools.preview import render_png
        from fiche.tools.translation import translation_status

        out = self.cache / "dist"
        report = build(self.root, out, profiles=("screen",), jobs=None)
        cards = []
        for r in sorted(report.results, key=lambda r: (r.job.fiche, r.job.sheet, r.job.lang)):
            card = {
                "fiche": r.job.fiche,
                "sheet": r.job.sheet,
                "lang": r.job.lang,
                "pages": [],
                "error": "",
            }
            if r.ok:
                pdf = Path(r.path)
                pngs = self.cache / "png" / r.job.lang
                stamp = pngs / f"{pdf.stem}.sha"
                if not stamp.is_file() or stamp.read_text() != r.sha256:
                    render_png(pdf, pngs, dpi=40)
                    render_png(pdf, self.cache / "large" / r.job.lang, dpi=110)
                    stamp.write_text(r.sha256)
                card["pages"] = [f"{r.job.lang}/{pdf.stem}-p{i}.png" for i in (1, 2)]
                card["sha"] = r.sha256[:12]
            else:
                card["error"] = "\n".join(str(p) for p in r.problems)
            cards.append(card)
        status = {}
        try:
            status = {
                f"{s.fiche}/{s.lang}": s.describe()
                for s in translation_status(load_catalog(self.root))
            }
        except Exception as e:  # a broken file: its problems are shown as the build's
            status = {"?": str(e)}
        with self.lock:
            self.state = State(
                self.state.version + 1, cards, status, [str(p) for p in report.problems]
            )
        return self.state


def failure_message(e: Exception) -> str:
    """What the page says about a rebuild that raised; a bug's traceback goes to the log."""
    from fiche.core.errors import FicheError

    if isinstance(e, FicheError):
        return str(e)
    if isinstance(e, OSError) and e.strerror:  # disk full, read-only cache: the user can fix it
        where = f"{e.filename}: " if e.filename else ""
        return f"cannot build the preview: {where}{e.strerror}"
    log.error("rebuild failed", exc_info=e)
    return f"internal error while rebuilding (a bug; see the terminal): {type(e).__name__}: {e}"


def watch(
    root: Path, rebuild: Callable[[], object], stop: threading.Event, interval: float = 0.5
) -> None:
    """Call `rebuild` whenever the project's input files change, until `stop` is set."""
    from fiche.build import inputs

    def digest() -> str | None:
        # An editor's temporary file may vanish between listing and hashing: look again later.
        try:
            return inputs.tree_digest(root, {})
        except OSError as e:
            log.debug("inputs changed while hashing: %s", e)
            return None

    last = digest()
    while not stop.wait(interval):
        now = digest()
        if now is not None and now != last:
            last = now
            try:
                rebuild()
            except Exception:  # keep watching; the page shows the last good state
                log.exception("rebuild failed")


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fiche — {title}</title>
<style>
 body {{ font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; background: #f4f4f6; }}
 h1 {{ font-size: 1.3rem; }} .grid {{ display: flex; flex-wrap: wrap; gap: 1rem; }}
 .card {{ background: white; padding: .6rem; border-radius: 6px; box-shadow: 0 1px 3px #0002; }}
 .card h2 {{ font-size: .95rem; margin: 0 0 .4rem; }} .pages img {{ height: 180px;
   border: 1px solid #ccc; margin-right: .3rem; cursor: zoom-in; }}
 .error {{ color: #a00; white-space: pre-wrap; max-width: 32rem; font-size: .8rem; }}
 .status {{ color: #555; font-size: .8rem; }} #large {{ display: none; position: fixed;
   inset: 0; background: #000c; text-align: center; }} #large img {{ max-height: 96vh;
   margin-top: 2vh; background: white; }}
</style></head><body>
<h1>{title}</h1>
<div class="problems error">{problems}</div>
<div class="grid">{cards}</div>
<div id="large" onclick="this.style.display='none'"><img alt="page"></div>
<script>
 const version = {version};
 function show(src) {{ const l = document.getElementById('large');
   l.querySelector('img').src = src; l.style.display = 'block'; }}
 setInterval(async () => {{
   try {{ const r = await fetch('/version'); const v = await r.json();
     if (v.version !== version && !v.building) location.reload(); }} catch (e) {{}}
 }}, 1000);
</script></body></html>"""


def render_page(state: State, title: str) -> str:
    cards = []
    for c in state.cards:
        head = f"{html.escape(c['sheet'])} — {html.escape(c['lang'])}"
        status = html.escape(state.status.get(f"{c['fiche']}/{c['lang']}", ""))
        if c["error"]:
            body = f'<div class="error" data-error="1">{html.escape(c["error"])}</div>'
        else:
            imgs = "".join(
                f'<img src="/png/{p}?v={c["sha"]}" alt="{head}, page {i}" '
                f'data-page="{i}" onclick="show(\'/large/{p}?v={c["sha"]}\')">'
                for i, p in enumerate(c["pages"], start=1)
            )
            body = f'<div class="pages">{imgs}</div>'
        cards.append(
            f'<div class="card" data-sheet="{html.escape(c["sheet"])}" '
            f'data-lang="{html.escape(c["lang"])}"><h2>{head}</h2>{body}'
            f'<div class="status">{status}</div></div>'
        )
    problems = html.escape("\n".join(state.problems))
    return PAGE.format(
        title=html.escape(title), problems=problems, cards="".join(cards), version=state.version
    )


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


def thumbnail(cache: Path, path: str) -> bytes | None:
    """The PNG file a request path names, or None; nothing else in the cache is served."""
    if not (m := THUMBNAIL.fullmatch(path)):
        return None
    base = (cache / m["folder"]).resolve()
    target = (base / m["lang"] / m["name"]).resolve()
    if not target.is_relative_to(base) or not target.is_file():
        return None
    return target.read_bytes()


def make_handler(preview: Preview, title: str, given: Limits | None = None):
    limits = given or Limits()

    class Handler(BaseHTTPRequestHandler):
        timeout = limits.timeout  # StreamRequestHandler puts it on the socket
        default_request_version = "HTTP/1.0"  # every answer has a status line, even to 0.9
        answered = False

        def log_message(self, fmt, *args):  # quiet: the terminal shows rebuilds only
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
                head = read_head(self.connection, limits)
            except HeadError as e:
                self.reply(e.status, f"{e.status.phrase}\n")
                return self.linger()
            if head is None:
                return None
            self.connection.settimeout(limits.timeout)  # read_head shortened it
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
            try:
                path = unquote(self.path.split("?", 1)[0].split("#", 1)[0], errors="strict")
            except UnicodeDecodeError:  # no name of ours is anything but ASCII
                return self.reply(404, "not found\n")
            with preview.lock:
                state = preview.state
            if path == "/":
                return self.reply(200, render_page(state, title), "text/html; charset=utf-8")
            if path == "/version":
                data = json.dumps({"version": state.version, "building": state.building})
                return self.reply(200, data, "application/json")
            try:
                image = thumbnail(preview.cache, path)
            except OSError as e:  # e.g. a rebuild replacing the cache folder meanwhile
                log.debug("cannot read %s: %s", path, e)
                image = None
            if image is None:
                return self.reply(404, "not found\n")
            return self.reply(200, image, "image/png")

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

        def send_error(self, code, message=None, explain=None):
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
            while drained < limits.max_head * 4 and (left := end - time.monotonic()) > 0:
                self.connection.settimeout(left)
                try:
                    chunk = self.connection.recv(4096)
                except OSError:
                    return
                if not chunk:
                    return
                drained += len(chunk)

    return Handler


class Server(ThreadingHTTPServer):
    """A thread per connection, at most `max_connections` at once; busy is a 503."""

    block_on_close = False  # stopping does not wait for idle connections to time out

    def __init__(self, address, handler, max_connections: int = MAX_CONNECTIONS):
        self.slots = threading.BoundedSemaphore(max_connections)
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
) -> ThreadingHTTPServer:
    """The HTTP server, bound to the loopback address only: the page is for this machine."""
    limits = Limits(timeout, deadline, max_line, max_headers, max_head)
    return Server(("127.0.0.1", port), make_handler(preview, title, limits), max_connections)


def serve(
    root: Path,
    port: int = 8000,
    cache: Path | None = None,
    ready: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
    interval: float = 0.5,
) -> None:
    """Build, then serve on 127.0.0.1 and rebuild on every change until `stop` is set."""
    preview = Preview(root, cache or root / ".fiche-cache" / "serve")
    preview.refresh()
    server = make_server(preview, port, root.name)
    stop = stop or threading.Event()

    def rebuild() -> None:
        t = time.perf_counter()
        state = preview.refresh()
        if ready:
            outcome = "rebuilt" if not state.problems else "rebuilt with problems"
            ready(f"{outcome} in {time.perf_counter() - t:.1f} s (version {state.version})")

    watcher = threading.Thread(target=watch, args=(root, rebuild, stop, interval), daemon=True)
    watcher.start()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    if ready:
        ready(f"serving http://127.0.0.1:{server.server_address[1]}/")
    try:
        stop.wait()
    finally:
        server.shutdown()
        server.server_close()
