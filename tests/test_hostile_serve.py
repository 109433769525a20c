"""`fiche serve` against hostile requests, sent by hand over raw sockets.

The server under test serves a fixed state and one PNG, so no build is needed.
Every wait is on the server's answer or on it closing the connection, bounded by
a generous deadline as a safety net; limits and timeouts are set small through
`make_server`'s parameters, never waited out with a sleep.
"""

from __future__ import annotations

import io
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

SAFETY = 30.0  # seconds: only ever reached when the server misbehaves


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 6), "white").save(buf, format="PNG")
    return buf.getvalue()


PNG = _png()  # a real image, so that a browser that refuses it is not merely failing to decode


class Answer:
    def __init__(self, raw: bytes):
        self.raw = raw
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.decode("iso-8859-1").split("\r\n")
        self.status = int(lines[0].split()[1]) if lines[0].startswith("HTTP/") else 0
        self.headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()

    def __repr__(self) -> str:
        return f"Answer({self.raw[:300]!r})"


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=SAFETY)
    sock.settimeout(SAFETY)
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def ask(port: int, raw: bytes) -> Answer:
    with connect(port) as sock:
        sock.sendall(raw)
        return Answer(read_all(sock))


def get(port: int, path: str = "/", host: str | None = "", extra: str = "", method="GET"):
    host_line = "" if host is None else f"Host: {host or f'127.0.0.1:{port}'}\r\n"
    return ask(port, f"{method} {path} HTTP/1.1\r\n{host_line}{extra}\r\n".encode("latin-1"))


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., int]]:
    """Start a server with the given limits; returns its port."""
    from fiche.tools.httpd import make_server
    from fiche.tools.live import Preview, State

    preview = Preview(tmp_path, tmp_path / "cache")
    card = {"fiche": "n3", "sheet": "n3-youth", "lang": "nl", "error": "", "sha": "abc"}
    card["pages"] = ["nl/n3-youth.screen-p1.png", "nl/n3-youth.screen-p2.png"]
    preview.state = State(3, [card], {}, [])
    folder = tmp_path / "cache" / "png" / "nl"
    folder.mkdir(parents=True)
    (folder / "n3-youth.screen-p1.png").write_bytes(PNG)
    (tmp_path / "secret.png").write_bytes(b"secret")
    started = []

    def run(**limits) -> int:
        server = make_server(preview, 0, "secret-title", **limits)
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        started.append((server, thread))
        return server.server_address[1]

    run.preview = preview  # type: ignore[attr-defined]
    yield run
    for server, thread in started:
        server.shutdown()
        server.server_close()
        thread.join(SAFETY)


# -- DNS rebinding: only our own names are answered -------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1:{p}", "localhost:{p}", "LocalHost:{p}", "[::1]:{p}"])
def test_our_own_names_are_answered(start, host):
    port = start()
    answer = get(port, host=host.format(p=port))
    assert answer.status == 200 and b"secret-title" in answer.body


@pytest.mark.parametrize(
    "host",
    [
        "attacker.example:{p}",
        "attacker.example",
        "127.0.0.1",  # no port: the page is not on port 80
        "127.0.0.1:{q}",
        "localhost.:{p}",
        "127.0.0.1:{p}.attacker.example",
        "127.0.0.1:{p}@attacker.example",
        "0.0.0.0:{p}",
        "127.1:{p}",
        "",
    ],
)
def test_other_hosts_are_misdirected(start, host):
    """A page of another site, resolved to 127.0.0.1 by DNS rebinding, reads nothing."""
    port = start()
    raw = f"GET / HTTP/1.1\r\nHost: {host.format(p=port, q=port + 1)}\r\n\r\n".encode()
    for path in (b"/", b"/version", b"/png/nl/n3-youth.screen-p1.png"):
        answer = ask(port, raw.replace(b"/", path, 1))
        assert answer.status == 421, answer
        assert b"secret-title" not in answer.body and PNG not in answer.body
        assert f"localhost:{port}".encode() in answer.body  # says which names it answers to


def test_a_missing_or_doubled_host_is_a_bad_request(start):
    port = start()
    assert get(port, host=None).status == 400
    assert ask(port, b"GET / HTTP/1.0\r\n\r\n").status == 400
    two = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: attacker.example\r\n\r\n"
    assert ask(port, two.encode()).status == 400


def test_cross_site_requests_are_refused_and_no_cors_is_offered(start):
    port = start()
    for extra in (
        "Origin: http://attacker.example\r\n",
        "Origin: null\r\n",
        f"Origin: http://127.0.0.1:{port + 1}\r\n",
        "Sec-Fetch-Site: cross-site\r\n",
    ):
        answer = get(port, "/version", extra=extra)
        assert answer.status == 403, (extra, answer)
    same = get(port, "/version", extra=f"Origin: http://127.0.0.1:{port}\r\n")
    assert same.status == 200
    assert not [h for h in same.headers if h.startswith("access-control-")]
    assert same.headers["x-content-type-options"] == "nosniff"


# -- paths: validated before use, never an exception --------------------------------------


def test_the_thumbnail_is_served(start):
    port = start()
    answer = get(port, "/png/nl/n3-youth.screen-p1.png?v=abc")
    assert answer.status == 200 and answer.body == PNG
    assert answer.headers["content-type"] == "image/png"


@pytest.mark.parametrize(
    "path",
    [
        "/png/nl/%00.png",
        "/png/nl/a%00b.png",
        "/png/%00/a.png",
        "/png/nl/" + "a" * 300 + ".png",
        "/png/" + "n" * 300 + "/a.png",
        "/png/nl/" + "a/" * 200 + "a.png",
        "/png/nl/%ff%fe.png",
        "/png/nl/%C0%AE%C0%AE/x.png",
        "/png/nl/..%5c..%5csecret.png",
        "/png/../secret.png",
        "/png/%2e%2e/secret.png",
        "/png/nl/../../../secret.png",
        "/png/../../content/n3/nl.yaml",
        "/png/%2e%2e/%2e%2e/content/n3/nl.yaml",
        "/png/nl/n3-youth.screen-p1.png%00.txt",
        "/png/nl/n3-youth.screen-p1.PNG",
        "/png/nl/n3-youth.screen-p1.png/",
        "/png/nl//n3-youth.screen-p1.png",
        "/png/nl/\x01.png",
        "/large/nl/%0a.png",
        "/png/" + "%2e%2e/" * 50 + "etc/passwd",
        "/" + "x" * 1500,
    ],
)
def test_a_path_that_cannot_be_a_thumbnail_is_not_found(start, path):
    port = start()
    answer = get(port, path)
    assert answer.status == 404, answer
    assert answer.body == b"not found\n"
    assert get(port, "/version").status == 200  # and the server still answers


def test_a_thumbnail_that_vanishes_while_it_is_read_is_not_found(start, monkeypatch):
    """A rebuild replaces thumbnails while the page loads them: a 404, not a dropped line."""
    port = start()

    def vanished(self):
        raise FileNotFoundError(2, "No such file or directory", str(self))

    monkeypatch.setattr(Path, "read_bytes", vanished)
    assert get(port, "/png/nl/n3-youth.screen-p1.png").status == 404


@pytest.mark.parametrize("target", ["*", "http://127.0.0.1/", "png/nl/x.png", "%2f"])
def test_a_target_that_is_not_a_path_is_a_bad_request(start, target):
    port = start()
    assert get(port, target).status == 400


@pytest.mark.parametrize(
    "raw, status",
    [
        (b"GET / HTTP/2.0\r\nHost: {host}\r\n\r\n", 505),
        (b"GET / HTTP/x\r\nHost: {host}\r\n\r\n", 400),
        (b"GET / HTTP/1.1 more\r\nHost: {host}\r\n\r\n", 400),
        (b"GET\r\nHost: {host}\r\n\r\n", 400),
        (b"GET /\0 HTTP/1.1\r\nHost: {host}\r\n\r\n", 404),
        (b"GET /version HTTP/1.1\r\nHost: {host}\0\r\n\r\n", 421),
        (b"GET /version HTTP/1.1\r\nHost: {host}\r\nX-\xff\xfe: \0\x01\r\n\r\n", 200),
        (b"GET /version HTTP/1.1\r\nno colon here\r\nHost: {host}\r\n\r\n", 400),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400),  # https to an http port
        (b"\0\0\0\0", 400),
        (b"\r\n\r\nGET /version HTTP/1.1\r\nHost: {host}\r\n\r\n", 200),
    ],
)
def test_a_malformed_request_gets_a_short_answer_at_once(start, raw, status):
    port = start(timeout=SAFETY * 2, deadline=SAFETY * 2)  # an answer, not a timeout
    with connect(port) as sock:
        sock.sendall(raw.replace(b"{host}", f"127.0.0.1:{port}".encode()))
        answer = Answer(read_all(sock))
    assert answer.status == status, answer
    assert len(answer.body) < 100 and b"Traceback" not in answer.body
    assert get(port, "/version").status == 200


def test_an_unexpected_error_is_a_short_500_and_the_server_goes_on(start, monkeypatch, caplog):
    import fiche.tools.httpd

    def broken(*args):
        raise RuntimeError("a bug in the page")

    port = start()
    monkeypatch.setattr(fiche.tools.httpd, "render_page", broken)
    answer = get(port, "/")
    assert answer.status == 500
    assert answer.body == b"internal error (see the terminal)\n"
    assert b"Traceback" not in answer.raw and b"a bug" not in answer.raw
    assert any("a bug in the page" in r.getMessage() or r.exc_info for r in caplog.records)
    assert get(port, "/version").status == 200


def test_a_client_that_goes_away_mid_answer_is_no_error(start, monkeypatch, caplog):
    import fiche.tools.httpd

    served = threading.Event()
    original = fiche.tools.httpd.Server.process_request_thread

    def serve_then_tell(self, request, client_address) -> None:
        original(self, request, client_address)  # the handler and the server's last net
        served.set()

    monkeypatch.setattr(fiche.tools.httpd.Server, "process_request_thread", serve_then_tell)
    port = start()
    sock = connect(port)
    # RST on close: the server's read or write fails with a reset connection
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
    sock.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    sock.close()
    assert served.wait(SAFETY)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert get(port, "/version").status == 200


# -- methods and bodies ----------------------------------------------------------------


def test_head_has_the_headers_of_get_and_no_body(start):
    port = start()
    for path in ("/", "/version", "/png/nl/n3-youth.screen-p1.png", "/nothing"):
        full = get(port, path)
        head = get(port, path, method="HEAD")
        assert head.status == full.status, path
        assert head.body == b"", path
        assert head.headers["content-length"] == str(len(full.body))
        assert head.headers["content-type"] == full.headers["content-type"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
def test_other_methods_are_not_allowed(start, method):
    port = start()
    answer = get(port, "/", method=method, extra="Content-Length: 3\r\n")
    assert answer.status == 405
    assert answer.headers["allow"] == "GET, HEAD"


def test_an_unknown_method_is_not_implemented(start):
    port = start()
    assert get(port, "/", method="BREW").status == 501


@pytest.mark.parametrize(
    "extra",
    [
        "Content-Length: 5\r\n",
        "Transfer-Encoding: chunked\r\n",
        "Content-Length: x\r\n",
        "Content-Length: \xb2\r\n",  # a digit to str.isdigit, not to int()
        "Content-Length: -1\r\n",
        "Content-Length: " + "9" * 5000 + "\r\n",
    ],
)
def test_a_request_body_is_refused(start, extra):
    port = start()
    assert get(port, "/", extra=extra).status in (400, 413, 431)


def test_a_request_without_a_body_may_say_so(start):
    port = start()
    assert get(port, "/", extra="Content-Length: 0\r\n").status == 200


# -- sizes and time ---------------------------------------------------------------------


def test_an_over_long_request_line_is_refused(start):
    port = start(max_line=1024)
    answer = get(port, "/png/nl/" + "a" * 2000 + ".png")
    assert answer.status == 414


def test_an_over_long_header_line_is_refused(start):
    port = start(max_line=1024)
    assert get(port, "/", extra="X-Junk: " + "a" * 2000 + "\r\n").status == 431


def test_too_many_headers_are_refused(start):
    port = start(max_headers=10)
    extra = "".join(f"X-H{i}: {i}\r\n" for i in range(11))
    assert get(port, "/", extra=extra).status == 431
    assert get(port, "/", extra=extra[: extra.index("X-H9")]).status == 200


def test_an_endless_head_is_cut_off(start):
    """A head that never ends is answered when it passes the limit, not read forever."""
    port = start(max_head=4096, max_line=1024)
    with connect(port) as sock:
        sock.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
        sock.sendall(b"X-A: b\r\n" * 1000)
        assert Answer(read_all(sock)).status == 431


def test_an_idle_connection_is_closed_by_the_server(start):
    port = start(timeout=0.2)
    with connect(port) as sock:
        assert read_all(sock) == b""  # returns when the server closes, not at SAFETY


def test_a_slow_head_is_closed_at_the_deadline_though_never_idle_that_long(start):
    """Slowloris: a head sent in pieces is bounded in total, not only between pieces."""
    port = start(timeout=SAFETY * 2, deadline=0.3)
    with connect(port) as sock:
        sock.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
        assert read_all(sock) == b""


def test_connections_beyond_the_limit_are_turned_away_then_served_again(start):
    port = start(max_connections=2, timeout=SAFETY * 2)
    idle = [connect(port), connect(port)]
    try:
        with connect(port) as third:  # sends nothing: the answer needs no request
            assert Answer(read_all(third)).status == 503
    finally:
        for sock in idle:
            sock.close()
    # the slots come free as the server sees the idle clients go: poll, bounded
    deadline = time.monotonic() + SAFETY
    answer = None
    while time.monotonic() < deadline and (answer is None or answer.status == 503):
        try:
            answer = get(port)
        except ConnectionResetError:  # turned away before our request was read
            answer = None
    assert answer is not None and answer.status == 200


# -- rebuilds ---------------------------------------------------------------------------


def test_a_rebuild_that_fails_with_a_bug_shows_it_and_stops_building(start, monkeypatch):
    from fiche.tools.page import render_page

    port = start()
    preview = start.preview

    def broken():
        raise RuntimeError("a bug in the build")

    monkeypatch.setattr(preview, "rebuild", broken)
    preview.refresh()
    assert preview.state.building is False
    assert preview.state.version == 4  # the page's poll reloads to show it
    assert preview.state.cards  # the last good pages stay
    assert "internal error" in preview.state.problems[0]
    assert "a bug in the build" in preview.state.problems[0]
    assert "a bug in the build" in render_page(preview.state, "t")
    answer = get(port, "/version")
    assert answer.body == b'{"version": 4, "building": false}'


def test_a_rebuild_that_fails_on_the_input_shows_the_message(start, monkeypatch):
    from fiche.core.errors import FicheError

    preview = start.preview

    def refused():
        raise FicheError.at("dist", "", "another build is writing here")

    monkeypatch.setattr(preview, "rebuild", refused)
    preview.refresh()
    assert preview.state.problems == ["dist: another build is writing here"]
    assert preview.state.building is False


def test_a_rebuild_that_fails_on_the_disk_names_the_path(start, monkeypatch):
    preview = start.preview

    def full():
        raise OSError(28, "No space left on device", str(preview.cache / "dist"))

    monkeypatch.setattr(preview, "rebuild", full)
    preview.refresh()
    assert preview.state.problems == [
        f"cannot build the preview: {preview.cache / 'dist'}: No space left on device"
    ]


def test_the_watcher_survives_a_file_vanishing_while_it_hashes(tmp_path, monkeypatch):
    """Editors save through temporary files: one that goes mid-hash must not stop watching."""
    import fiche.build.inputs
    from fiche.tools.live import watch

    digests = iter(["a", OSError("gone"), "b"])

    def digest(root, selection):
        value = next(digests, "b")
        if isinstance(value, Exception):
            raise value
        return value

    monkeypatch.setattr(fiche.build.inputs, "tree_digest", digest)
    rebuilt, stop = threading.Event(), threading.Event()
    thread = threading.Thread(target=watch, args=(tmp_path, rebuilt.set, stop, 0.01))
    thread.start()
    try:
        assert rebuilt.wait(SAFETY)
    finally:
        stop.set()
        thread.join(SAFETY)


def test_a_rebinding_page_in_the_browser_reads_nothing(start):
    """DNS rebinding for real: Chromium resolves attacker.test to 127.0.0.1."""
    pw = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from .test_serve import CHROMIUM_ARGS, WAIT_MS, chromium

    executable = chromium()
    port = start()
    ours, theirs = f"http://127.0.0.1:{port}", f"http://attacker.test:{port}"
    rules = ["--no-proxy-server", "--host-resolver-rules=MAP attacker.test 127.0.0.1"]
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=[*CHROMIUM_ARGS, *rules])
        page = browser.new_page()
        page.set_default_timeout(WAIT_MS)
        response = page.goto(f"{theirs}/")
        assert response.status == 421 and "secret-title" not in page.content()
        # the attacker's script, same-origin with the rebound name, reads nothing either
        assert page.evaluate("fetch('/version').then(r => r.status)") == 421
        # nor, cross-origin, from our own address: refused, and no CORS to let it through
        read = f"fetch('{ours}/version').then(r => r.text()).then(() => 'read', () => 'blocked')"
        assert page.evaluate(read) == "blocked"
        show = (
            "src => new Promise(done => { const i = new Image();"
            " i.onload = () => done('shown'); i.onerror = () => done('refused'); i.src = src; })"
        )
        thumbnail = f"{ours}/png/nl/n3-youth.screen-p1.png"
        assert page.evaluate(show, thumbnail) == "refused"
        # while our own address works, thumbnail included
        response = page.goto(f"{ours}/")
        assert response.status == 200 and "secret-title" in page.content()
        assert page.evaluate(show, thumbnail) == "shown"
        browser.close()


# -- the event stream -----------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "/events",
        "/events?v=",
        "/events?v=x",
        "/events?v=1&v=2",
        "/events?v=" + "9" * 40,
        "/events?v=1&focus=../../etc",
        "/events?v=1&focus=nl/%0a",
        "/events?v=1&focus=nl/a&x=1",
        "/events?v=1&other=1",
    ],
)
def test_an_event_stream_with_bad_values_is_a_bad_request(start, target):
    port = start()
    assert get(port, target).status == 400
    assert get(port, "/events?v=1", extra="Last-Event-ID: 1; drop\r\n").status == 400


def test_a_cross_site_event_stream_is_refused(start):
    port = start()
    assert get(port, "/events?v=1", extra="Sec-Fetch-Site: cross-site\r\n").status == 403
    assert get(port, "/events?v=1", host="attacker.example").status == 421


def read_until(sock: socket.socket, needle: bytes) -> bytes:
    data = b""
    while needle not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_a_stream_pushes_a_change_and_ends_when_the_server_stops(start):
    port = start()
    preview = start.preview
    with connect(port) as sock:
        sock.sendall(f"GET /events?v=3 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        head = read_until(sock, b"retry:")
        assert b"200 OK" in head and b"text/event-stream" in head
        card = {**preview.state.cards[0], "sha": "def"}
        preview.publish(cards=[card])
        pushed = read_until(sock, b"\n\n" + b"event: version")
        assert b"event: card\nid: 4\n" in pushed and b"?v=def" in pushed
        preview.close()  # as the server does when it stops
        assert read_all(sock) == b""  # the stream ended


def test_streams_beyond_the_limit_are_turned_away(start):
    port = start(max_streams=1)
    with connect(port) as sock:
        sock.sendall(f"GET /events?v=3 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        read_until(sock, b"retry:")
        assert get(port, "/events?v=3").status == 503
        assert get(port, "/version").status == 200  # the rest is served


def test_a_stale_page_is_told_to_reload(start):
    port = start(heartbeat=0.05, lifetime=0.2)  # the stream ends by itself, soon
    answer = get(port, "/events?v=99")  # a version this session never had
    assert b"event: reload" in answer.body
    idle = get(port, "/events?v=3")
    assert idle.status == 200 and b": idle" in idle.body
