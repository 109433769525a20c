"""`fiche serve`: the catalogue as a live page on the designer's own machine.

A loopback-only HTTP server (`httpd`) shows every sheet × language with thumbnails of
its front and back (screen profile), the translation status, and the error in place
of the pages of a sheet that failed (`page`). It listens as soon as the catalogue is
loaded; one warm worker thread builds the sheets one by one behind it and again
whatever a change of the inputs touches (`live`), and each sheet built is pushed to
the page.
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
    interval: float = 0.1,
) -> None:
    """Serve on 127.0.0.1, build behind it and rebuild on every change until `stop` is set."""
    preview = Preview(root, cache or root / ".fiche-cache" / "serve")
    preview.load()
    server = make_server(preview, port, root.name)
    stop = stop or threading.Event()
    say = ready or (lambda msg: None)

    def work() -> None:
        first = True
        while not stop.is_set():
            preview.dirty.wait()
            if stop.is_set():
                return
            preview.dirty.clear()
            t = time.perf_counter()
            state = preview.refresh()
            outcome = "built" if first else "rebuilt"
            first = False
            if preview.dirty.is_set():  # changed again meanwhile: the next round finishes
                continue
            if state.problems:
                outcome += " with problems"
            n = preview.built
            say(
                f"{outcome} {n} sheet{'s' if n != 1 else ''} in "
                f"{time.perf_counter() - t:.1f} s (version {state.version})"
            )

    preview.dirty.set()  # the first round builds what the cache does not hold
    threads = [
        threading.Thread(target=work, daemon=True),
        threading.Thread(target=watch, args=(root, preview.dirty.set, stop, interval), daemon=True),
        threading.Thread(target=server.serve_forever, daemon=True),
    ]
    for thread in threads:
        thread.start()
    say(f"serving http://127.0.0.1:{server.server_address[1]}/")
    try:
        stop.wait()
    finally:
        stop.set()
        preview.dirty.set()  # wakes the worker, which sees `stop`
        server.shutdown()
        server.server_close()
        threads[0].join()
