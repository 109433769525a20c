"""`fiche serve`: the catalogue as a live page on the designer's own machine.

A loopback-only HTTP server (`httpd`) shows every sheet × language with thumbnails of
its front and back (screen profile), the translation status, and the error in place
of the pages of a sheet that failed (`page`). A watcher thread rebuilds what a change
of the inputs affects (`live`); the page reloads itself when a rebuild finished.
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
