"""`fiche serve` as a designer waits on it, timed in the browser test's harness.

Starts `fiche serve` as a process of its own on a fresh copy of the project and an
empty preview cache, drives Chromium through Playwright (as tests/test_serve.py does)
and times, from the moment each thing is done to the moment the browser shows it:

- start: the process started → the first sheet's thumbnail shown, and → every one;
- start again on the cache the first start left: → the first thumbnail shown;
- save a Dutch sentence of N°3 (n3/nl.yaml, on the sheet open large) → the new
  thumbnail of n3-youth (nl) shown; and → the server's word that all five nl sheets
  (the file's) are rebuilt;
- save a layout colour (youth.yaml, the sun) → the new thumbnail of n3-youth (nl), and
  of all four youth sheets.

Every wait is on an event (a line of the server, a page condition), never a sleep.
`--code DIR` times another checkout's fiche (e.g. an export of an older commit) with
the same harness, so two versions can be compared side by side:

  .venv/bin/python bench/serve.py --runs 5
  .venv/bin/python bench/serve.py --runs 5 --code /tmp/fiche-before

Prints a Markdown table of medians (min–max). Nothing here is a test.

Measured 2026-12-02, 2 CPUs, seconds: before (main at 3d7e755: a full `run.build` with
worker processes on every change, the page polling `/version` every second) and after
(the warm worker, only the touched sheets, server-sent events), alternated in blocks of
two runs (before, after, before, after); each figure the mean of the two blocks' medians:

| what | before | after | ratio |
|---|---|---|---|
| start → first page shown | 4.87 | 1.71 | 0.35 |
| start → every sheet shown | 4.88 | 4.48 | 0.92 |
| save a sentence → its sheet shown | 1.94 | 0.47 | 0.24 |
| save a sentence → all 5 nl sheets rebuilt | 1.40 | 0.90 | 0.64 |
| save a layout colour → the sheet shown | 2.72 | 0.43 | 0.16 |
| save a layout colour → all 4 sheets shown | 2.73 | 0.60 | 0.22 |
| start again (cache kept) → first page shown | 0.88 | 0.96 | 1.09 |

The harness as a whole process (both starts, both saves, Chromium), 3 paired runs,
median wall time after/before: 0.70 (user CPU 0.61).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_serve import CHROMIUM_ARGS, chromium  # noqa: E402

SAFETY_MS = 180_000
CARD = '.card[data-sheet="{sheet}"][data-lang="{lang}"]'
SENTENCE = ("Het hoort bij flirten, voor je", "Het hoort echt bij flirten, voor je")
COLOUR = ("sun: {cmyk: [0, 20, 90, 0]}", "sun: {cmyk: [0, 35, 90, 0]}")
YOUTH = [("n3-youth", lang) for lang in ("de", "en", "fr", "nl")]

# One thumbnail of each card: a src and whether it has been drawn.
SHOWN = """cards => cards.every(([sel, old]) => { const i = document.querySelector(sel + ' img');
  return i && i.complete && i.naturalWidth > 0 && (old === null || i.getAttribute('src') !== old);
})"""
EVERY = """() => [...document.querySelectorAll('.card')].every(c => {
  const i = c.querySelector('img'); return i && i.complete && i.naturalWidth > 0; })"""


class Server:
    """`fiche serve` as a process; its stderr lines, each with the time it came."""

    def __init__(self, code: Path, project: Path):
        self.lines: list[tuple[float, str]] = []
        self.cond = threading.Condition()
        env = {**os.environ, "PYTHONPATH": str(code)}
        self.start = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "fiche", "serve", "--root", str(project), "--port", "0"],
            cwd=code,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self.cond:
                self.lines.append((time.perf_counter(), line.strip()))
                self.cond.notify_all()
        with self.cond:
            self.lines.append((time.perf_counter(), "<exit>"))
            self.cond.notify_all()

    def wait_line(self, pattern: str, after: int = 0) -> tuple[float, str]:
        """The first line from index `after` on that matches `pattern` (bounded wait)."""
        with self.cond:
            found = self.cond.wait_for(
                lambda: any(re.search(pattern, s) or s == "<exit>" for _, s in self.lines[after:]),
                timeout=SAFETY_MS / 1000,
            )
            assert found, f"no {pattern!r} in {self.lines}"
            t, s = next(
                (t, s) for t, s in self.lines[after:] if re.search(pattern, s) or s == "<exit>"
            )
            assert s != "<exit>", f"the server ended: {self.lines}"
            return t, s

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def srcs(page, cards) -> list[list]:
    return [
        [sel, page.eval_on_selector(sel + " img", "i => i.getAttribute('src')")] for sel in cards
    ]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def one_run(code: Path, browser) -> dict[str, float]:
    servers: list[Server] = []
    try:
        return _one_run(code, browser, servers)
    except Exception:
        for server in servers:
            print("\n".join(s for _, s in server.lines), file=sys.stderr)
            server.stop()
        raise


def _one_run(code: Path, browser, servers: list[Server]) -> dict[str, float]:
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        for name in ("content", "layouts", "assets"):
            shutil.copytree(ROOT / name, project / name)
        youth = CARD.format(sheet="n3-youth", lang="nl")
        server, page = _started(browser, code, project, servers)
        out["start → first page shown"] = time.perf_counter() - server.start
        page.wait_for_function(EVERY)
        out["start → every sheet shown"] = time.perf_counter() - server.start
        page.wait_for_function(SHOWN, arg=[[youth, None]])

        # The designer looks at the page large, then saves a sentence.
        page.locator(f"{youth} img").first.click()
        before_one = srcs(page, [youth])
        mark = len(server.lines)
        t = time.perf_counter()
        edit(project / "content/n3/nl.yaml", *SENTENCE)
        page.wait_for_function(SHOWN, arg=before_one)
        out["save a sentence → its sheet shown"] = time.perf_counter() - t
        done, _ = server.wait_line(r"^rebuilt", mark)
        out["save a sentence → all 5 nl sheets rebuilt"] = done - t

        cards = [CARD.format(sheet=s, lang=lang) for s, lang in YOUTH]
        before_one, before_all = srcs(page, [youth]), srcs(page, cards)
        mark = len(server.lines)
        t = time.perf_counter()
        edit(project / "layouts/youth.yaml", *COLOUR)
        page.wait_for_function(SHOWN, arg=before_one)
        out["save a layout colour → the sheet shown"] = time.perf_counter() - t
        page.wait_for_function(SHOWN, arg=before_all)
        out["save a layout colour → all 4 sheets shown"] = time.perf_counter() - t
        server.wait_line(r"^rebuilt", mark)  # the rebuild is over before the server stops
        server.stop()

        # Again, on the cache this session left.
        page.close()
        server, page = _started(browser, code, project, servers)
        out["start again (cache kept) → first page shown"] = time.perf_counter() - server.start
        server.stop()
        page.close()
    return out


def _started(browser, code: Path, project: Path, servers: list[Server]):
    """A server started on `project` and a new page showing its first card."""
    page = browser.new_page()
    page.set_default_timeout(SAFETY_MS)
    server = Server(code, project)
    servers.append(server)
    _, line = server.wait_line(r"serving http://")
    page.goto(re.search(r"http://127\.0\.0\.1:\d+/", line).group(0))
    page.wait_for_function(SHOWN, arg=[[".card", None]])
    return server, page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose fiche runs")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    runs: list[dict[str, float]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        for i in range(args.runs):
            runs.append(one_run(args.code.resolve(), browser))
            print(
                f"run {i + 1}: " + ", ".join(f"{v:.2f}" for v in runs[-1].values()), file=sys.stderr
            )
        browser.close()
    print(f"`fiche serve` ({args.code}), {args.runs} runs, seconds: median (min–max)\n")
    print("| what | median | min–max |\n|---|---|---|")
    for key in runs[0]:
        values = [r[key] for r in runs]
        med = statistics.median(values)
        print(f"| {key} | {med:.2f} | {min(values):.2f}–{max(values):.2f} |")


if __name__ == "__main__":
    main()
