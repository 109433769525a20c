"""What `fiche serve` shows and keeps fresh: the warm rebuild of the preview and the watcher.

One worker thread (`serve`) owns the build and stays warm between rebuilds: ReportLab's
fonts, the hyphenation dictionaries and the measured paragraphs stay loaded in this
process. On every change it loads the catalogue again and rebuilds only the sheets whose
inputs changed (`job_input_hash`: a content file touches its fiche's sheets in that
language, a layout the sheets that use it), the one a page is looking at first, and
publishes each sheet as soon as its thumbnails are on disk: the page gets it pushed
(`events_since`). The thumbnails of a sheet are kept with the hash of its inputs, so a
new session starts from those of the last one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from fiche.build import inputs
from fiche.core.atomic import write_atomic
from fiche.core.errors import FicheError
from fiche.model.jobs import Job
from fiche.tools.preview import render_png
from fiche.tools.translation import translation_status

if TYPE_CHECKING:
    from fiche.model.catalog import Catalog

log = logging.getLogger("fiche.tools.serve")

PROFILE = "screen"
THUMB_DPI, LARGE_DPI = 40, 110
FAST = 1  # zlib level of the PNGs: they never leave this machine


@dataclass
class State:
    """What the page shows; replaced as a whole, never changed in place.

    `version` counts every change; each card has the `version` it last changed at, and
    `shape` and `problems_at` say when the set of cards, and the problems, last changed:
    a page that has seen version N asks for what is newer.
    """

    version: int = 0
    cards: list[dict] = field(default_factory=list)  # fiche, sheet, lang, pages, error, ...
    status: dict[str, str] = field(default_factory=dict)  # "fiche/lang" -> status
    problems: list[str] = field(default_factory=list)  # not tied to one sheet
    building: bool = False
    shape: int = 0
    problems_at: int = 0


def card_key(card: dict) -> str:
    """A card's name in the page and in a request's `focus`: "lang/sheet"."""
    return f"{card['lang']}/{card['sheet']}"


def job_key(job: Job) -> str:
    return f"{job.lang}/{job.sheet}"


class Preview:
    """Builds the screen PDFs into a cache folder and keeps PNG pages of each."""

    def __init__(self, root: Path, cache: Path):
        self.root = root
        self.cache = cache
        # A new session numbers its versions above any earlier one's, so that a page
        # left open from before is told to reload rather than sent changes.
        self.state = State(version=int(time.time() * 1000))
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.closed = False
        self.dirty = threading.Event()  # set by the watcher: stop the batch, plan again
        self.focus: Counter[str] = Counter()  # cards the open pages look at
        self.catalog: Catalog | None = None  # loaded ahead of the first rebuild
        self.built = 0  # sheets built by the last rebuild
        # pdfium is not thread-safe: the worker's build and render, and a large page
        # rendered for a request, take turns.
        self.pdfium = threading.Lock()

    # -- publishing -------------------------------------------------------------------

    def publish(self, **changes: object) -> State:
        """A new state with what `changes` really changes, under the next version (none
        if nothing changed); the pages are told. `building` alone is no version."""
        with self.changed:
            now = self.state
            changes = {k: v for k, v in changes.items() if getattr(now, k) != v}
            if set(changes) <= {"building"}:
                self.state = replace(now, **changes)  # type: ignore[arg-type]
                return self.state
            version = now.version + 1
            stamped: dict[str, object] = {"version": version}
            if "cards" in changes:
                old = {card_key(c): c for c in now.cards}
                cards = []
                for c in changes["cards"]:  # type: ignore[attr-defined]
                    before = old.get(card_key(c))
                    if before is not c:
                        c = {**c, "version": version}
                    cards.append(c)
                stamped["cards"] = cards
                if [card_key(c) for c in cards] != [card_key(c) for c in now.cards]:
                    stamped["shape"] = version
            if "problems" in changes or "status" in changes:
                stamped["problems_at"] = version
            self.state = replace(now, **{**changes, **stamped})  # type: ignore[arg-type]
            self.changed.notify_all()
            return self.state

    def close(self) -> None:
        """The server stops: every open event stream ends."""
        with self.changed:
            self.closed = True
            self.changed.notify_all()

    def events_since(self, seen: int, timeout: float) -> tuple[State, bool]:
        """The state once it is newer than version `seen` (or after `timeout`), and
        whether the server is closing."""
        with self.changed:
            self.changed.wait_for(lambda: self.state.version > seen or self.closed, timeout)
            return self.state, self.closed

    def watching(self, focus: str | None, on: bool) -> None:
        if focus is None:
            return
        with self.lock:
            self.focus[focus] += 1 if on else -1
            if self.focus[focus] <= 0:
                del self.focus[focus]
            self.changed.notify_all()  # for whoever waits to see it

    # -- rebuilding -------------------------------------------------------------------

    def refresh(self) -> State:
        """Rebuild; whatever happens, the page stops saying "building" and shows the outcome.

        A rebuild that raises keeps the last good pages and shows why it failed, under
        a new version so that the page shows it.
        """
        self.publish(building=True)
        try:
            self.rebuild()
            return self.publish(building=False)
        except Exception as e:
            return self.publish(problems=[failure_message(e)], building=False)

    def load(self) -> None:
        """The catalogue, and the cards the cache already holds, before the server starts:
        the first page lists every sheet at once."""
        from fiche.model.catalog import load_catalog

        try:
            self.catalog = load_catalog(self.root)
        except FicheError as e:
            self.publish(problems=[failure_message(e)])
            return
        cards, _ = self.plan(self.catalog)
        self.publish(cards=cards)

    def rebuild(self) -> State:
        """Build every sheet whose inputs changed since it was last shown, one at a time,
        the ones a page looks at first; stops early when the inputs change again."""
        from fiche.model.catalog import load_catalog

        cat, self.catalog = self.catalog or load_catalog(self.root), None
        cards, todo = self.plan(cat)
        problems = [str(p) for f in cat.fiches.values() if f.defn is None for p in f.problems]
        self.publish(cards=cards, problems=problems, status=status_of(cat))
        self.built = 0
        later = []  # large pages of the sheets no page shows large: after every thumbnail
        while todo and not self.dirty.is_set():
            job, digest = todo.pop(self.next_index(todo))
            large = job_key(job) in self.focused()
            card = self.make(cat, job, digest, large)
            self.publish(
                cards=[card if card_key(c) == card_key(card) else c for c in self.state.cards]
            )
            self.built += 1
            if card["pages"] and not large:
                later.append(job)
        for job in later:
            if self.dirty.is_set():  # what is left is rendered when a page asks for it
                break
            with self.pdfium:
                render_png(self.pdf(job), self.cache / "large" / job.lang, LARGE_DPI, FAST)
        return self.state

    def focused(self) -> set[str]:
        with self.lock:
            return set(self.focus)

    def next_index(self, todo: list[tuple[Job, str]]) -> int:
        focus = self.focused()
        return next((i for i, (job, _) in enumerate(todo) if job_key(job) in focus), 0)

    def plan(self, cat: Catalog) -> tuple[list[dict], list[tuple[Job, str]]]:
        """The cards of `cat`'s sheets, and the jobs to build with their input hashes.

        A card whose inputs are those it was built from stays as it is; one a previous
        session built is taken from the cache; a fiche that no longer loads keeps its
        last cards (its problem is shown above them).
        """
        from fiche.model.profiles import profile_for

        profile = profile_for(PROFILE)
        old = {card_key(c): c for c in self.state.cards}
        cards: list[dict] = []
        todo: list[tuple[Job, str]] = []
        for job in cat.jobs():
            blocking = cat.job_problems(job)
            if blocking:
                error = "\n".join(str(p) for p in blocking)
                digest = "blocked " + hashlib.sha256(error.encode()).hexdigest()
            else:
                digest = inputs.job_input_hash(cat, job, profile)
            before = old.get(job_key(job))
            if before is not None and before.get("input") == digest:
                cards.append(before)
            elif blocking:
                cards.append(new_card(job, digest, error=error))
            elif (stored := self.stored(job, digest)) is not None:
                cards.append(stored)
            else:
                # The last pages stay in view until the new ones are made.
                cards.append(before or new_card(job, ""))
                todo.append((job, digest))
        broken = {slug for slug, f in cat.fiches.items() if f.defn is None}
        shown = {card_key(c) for c in cards}
        cards += [c for k, c in old.items() if c["fiche"] in broken and k not in shown]
        cards.sort(key=lambda c: (c["fiche"], c["sheet"], c["lang"]))
        return cards, todo

    def make(self, cat: Catalog, job: Job, digest: str, large: bool) -> dict:
        """Build one sheet and render its thumbnails (and its large pages with `large`);
        a defect of the input is its card's error."""
        from fiche.build.job import build_job  # ReportLab, pikepdf: once, then warm
        from fiche.model.profiles import profile_for

        with self.pdfium:
            try:
                out = build_job(cat, job, profile_for(PROFILE))
            except FicheError as e:
                card = new_card(job, digest, error="\n".join(str(p) for p in e.problems))
            else:
                pdf = self.pdf(job)
                # The large pages of the last build go first: one asked for meanwhile is
                # rendered from the new PDF.
                for old in (self.cache / "large" / job.lang).glob(f"{pdf.stem}-p*.png"):
                    old.unlink(missing_ok=True)
                write_atomic(pdf, out.pdf)
                render_png(pdf, self.cache / "png" / job.lang, THUMB_DPI, FAST)
                if large:
                    render_png(pdf, self.cache / "large" / job.lang, LARGE_DPI, FAST)
                sha = hashlib.sha256(out.pdf).hexdigest()
                card = new_card(job, digest, pages=pages_of(job, pdf, out.pages), sha=sha[:12])
        stamp = {k: card[k] for k in ("input", "pages", "error", "sha")}
        write_atomic(self.stamp(job), json.dumps(stamp).encode())
        return card

    def pdf(self, job: Job) -> Path:
        return self.cache / "dist" / job.lang / f"{job.sheet}.{PROFILE}.pdf"

    def large_page(self, lang: str, name: str) -> bytes | None:
        """The large page `lang/name` (a name `httpd` has checked), rendered now from the
        sheet's PDF if it is not yet; None if there is no such page."""
        folder = self.cache / "large" / lang
        target = folder / name
        pdf = self.cache / "dist" / lang / f"{name.rpartition('-p')[0]}.pdf"
        with self.pdfium:
            if not target.is_file() and pdf.is_file():
                try:
                    render_png(pdf, folder, LARGE_DPI, FAST)
                except FicheError as e:  # a cache file damaged from outside
                    log.warning("cannot render %s: %s", pdf, e)
            return target.read_bytes() if target.is_file() else None

    def stamp(self, job: Job) -> Path:
        return self.cache / "cards" / job.lang / f"{job.sheet}.json"

    def stored(self, job: Job, digest: str) -> dict | None:
        """The card an earlier session made from the same inputs, if its pages are there."""
        try:
            stamp = json.loads(self.stamp(job).read_text(encoding="utf-8"))
            if stamp["input"] != digest:
                return None
            pages = [str(p) for p in stamp["pages"]]
            if not all((self.cache / "png" / p).is_file() for p in pages):
                return None  # (the large pages are rendered when asked for)
            return new_card(job, digest, pages=pages, error=str(stamp["error"]), sha=stamp["sha"])
        except (OSError, ValueError, KeyError, TypeError):
            return None


def new_card(job: Job, digest: str, pages=(), error: str = "", sha: str = "") -> dict:
    return {
        "fiche": job.fiche,
        "sheet": job.sheet,
        "lang": job.lang,
        "pages": list(pages),
        "error": error,
        "sha": sha,
        "input": digest,
    }


def pages_of(job: Job, pdf: Path, count: int) -> list[str]:
    return [f"{job.lang}/{pdf.stem}-p{i}.png" for i in range(1, count + 1)]


def status_of(cat: Catalog) -> dict[str, str]:
    try:
        return {f"{s.fiche}/{s.lang}": s.describe() for s in translation_status(cat)}
    except Exception as e:  # a broken file: its problems are shown as the build's
        return {"?": str(e)}


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
    root: Path, rebuild: Callable[[], object], stop: threading.Event, interval: float = 0.1
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
