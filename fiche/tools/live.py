"""What `fiche serve` shows and keeps fresh: the rebuild of the preview and the watcher.

A watcher thread hashes content/, layouts/, assets/ and hyphenation/ twice a second;
on a change it calls `rebuild`, which builds incrementally (only what the change
affects) and renders the thumbnails of the files that changed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from fiche.build import inputs, run
from fiche.core.errors import FicheError
from fiche.model.catalog import load_catalog
from fiche.tools.preview import render_png
from fiche.tools.translation import translation_status

log = logging.getLogger("fiche.tools.serve")


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
        out = self.cache / "dist"
        report = run.build(self.root, out, profiles=("screen",), jobs=None)
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
                card["pages"] = [f"{r.job.lang}/{pdf.stem}-p{i}.png" for i in range(1, r.pages + 1)]
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
