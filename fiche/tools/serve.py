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

import threading
import time
from collections.abc import Callable
from pathlib import Path

from fiche.tools.httpd import make_server
from fiche.tools.live import Preview, watch


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
