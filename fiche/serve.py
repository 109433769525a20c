"""`fiche serve`: the catalogue as a live page on the designer's own machine.

A loopback-only HTTP server shows every sheet × language with thumbnails of its
front and back (screen profile), the translation status, and the error in place
of the pages of a sheet that failed. A watcher thread hashes content/, layouts/,
assets/ and hyphenation/ twice a second; on a change it calls `rebuild`, which
builds incrementally (only what the change affects) and renders the thumbnails of
the files that changed. The page asks `/version` every second and reloads itself
when a rebuild finished.
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse


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

    def rebuild(self) -> State:
        from .build import build
        from .catalog import load_catalog
        from .preview import render_png
        from .translation import translation_status

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


def watch(
    root: Path, rebuild: Callable[[], object], stop: threading.Event, interval: float = 0.5
) -> None:
    """Call `rebuild` whenever the project's input files change, until `stop` is set."""
    from .inputs import tree_digest

    last = tree_digest(root, {})
    while not stop.wait(interval):
        now = tree_digest(root, {})
        if now != last:
            last = now
            try:
                rebuild()
            except Exception as e:  # keep serving; the page shows the last good state
                import logging

                logging.getLogger("fiche.serve").exception("rebuild failed: %s", e)


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


def make_handler(preview: Preview, title: str):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):  # quiet: the terminal shows rebuilds only
            pass

        def _send(self, code: int, body: bytes, ctype: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            path = unquote(urlparse(self.path).path)
            with preview.lock:
                state = preview.state
            if path == "/":
                return self._send(200, render_page(state, title).encode(), "text/html")
            if path == "/version":
                data = json.dumps({"version": state.version, "building": state.building})
                return self._send(200, data.encode(), "application/json")
            for prefix, folder in (("/png/", "png"), ("/large/", "large")):
                if path.startswith(prefix):
                    base = (preview.cache / folder).resolve()
                    target = (base / path[len(prefix) :]).resolve()
                    if target.is_relative_to(base) and target.suffix == ".png" and target.is_file():
                        return self._send(200, target.read_bytes(), "image/png")
            return self._send(404, b"not found", "text/plain")

    return Handler


def make_server(preview: Preview, port: int, title: str) -> ThreadingHTTPServer:
    """The HTTP server, bound to the loopback address only: the page is for this machine."""
    return ThreadingHTTPServer(("127.0.0.1", port), make_handler(preview, title))


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
    preview.rebuild()
    server = make_server(preview, port, root.name)
    stop = stop or threading.Event()

    def rebuild() -> None:
        with preview.lock:
            preview.state.building = True
        t = time.perf_counter()
        state = preview.rebuild()
        if ready:
            ready(f"rebuilt in {time.perf_counter() - t:.1f} s (version {state.version})")

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
