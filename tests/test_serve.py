"""`fiche serve` driven end to end in a real headless browser (Chromium via Playwright)."""

from __future__ import annotations

import re
import shutil
import threading

import pytest

from .conftest import edit

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SAFETY = 180.0  # s: a bound on each wait, reached only when something is wrong
WAIT_MS = int(SAFETY * 1000)


def chromium() -> str:
    """The system Chromium, or a skip saying how to get it; a test never installs anything."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip(
        "no Chromium on this machine: `make browser` installs it (apt-get install chromium, "
        "as root), then the browser tests run"
    )


@pytest.fixture
def server(project):
    from fiche.tools.serve import serve

    stop = threading.Event()
    messages: list[str] = []
    changed = threading.Condition()

    def ready(msg: str) -> None:
        with changed:
            messages.append(msg)
            changed.notify_all()

    def wait_for(word: str, count: int = 1) -> list[str]:
        """The messages once `count` of them contain `word` (bounded wait)."""
        with changed:
            assert changed.wait_for(
                lambda: sum(word in m for m in messages) >= count, timeout=SAFETY
            ), f"no {count} × {word!r} in {messages}"
            return list(messages)

    thread = threading.Thread(
        target=serve,
        daemon=True,
        kwargs=dict(
            root=project, port=0, cache=project / ".cache", ready=ready, stop=stop, interval=0.2
        ),
    )
    thread.start()
    serving = next(m for m in wait_for("serving") if "serving" in m)
    url = re.search(r"http://127\.0\.0\.1:\d+/", serving).group(0)
    yield url, wait_for
    stop.set()
    thread.join(SAFETY)


def test_serve_shows_the_catalogue_and_refreshes_after_an_edit(project, server, monkeypatch):
    pw = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    executable = chromium()
    url, wait_for = server
    nl_card = '.card[data-sheet="n3-youth"][data-lang="nl"]'
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(url)
        cards = page.locator(".card")
        assert cards.count() == 40  # 5 sheets x 8 languages, screen profile, listed at once
        # Each sheet comes to the page as it is built, without a reload.
        page.evaluate("window.sameDocument = true")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.card')].every(c => c.querySelector('img'))"
        )
        assert page.evaluate("window.sameDocument") is True
        card = page.locator(nl_card)
        imgs = card.locator("img")
        assert imgs.count() == 2
        first_src = imgs.nth(0).get_attribute("src")
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=imgs.nth(0).element_handle()
        )
        assert (
            "complete" in card.locator(".status").inner_text()
            or "source" in card.locator(".status").inner_text()
        )

        # A designer edits a sentence: the page shows the new page by itself.
        edit(
            project / "content/n3/nl.yaml",
            "Het hoort bij flirten, voor je",
            "Het hoort echt bij flirten, voor je",
        )
        page.wait_for_function(
            "old => { const i = document.querySelector("
            f"'{nl_card} img');"
            " return i && !i.src.endsWith(old) && i.complete && i.naturalWidth > 0; }",
            arg=first_src.split("/png/")[1],
        )
        new_src = page.locator(f"{nl_card} img").nth(0).get_attribute("src")
        assert new_src != first_src
        wait_for("rebuilt")

        # Clicking a thumbnail shows the page large.
        page.locator(f"{nl_card} img").nth(1).click()
        large = page.locator("#large img")
        page.wait_for_function(
            "i => i.complete && i.naturalWidth > 800", arg=large.element_handle()
        )
        assert page.locator("#large").is_visible()

        # An error replaces the pages of the sheet that failed, in place.
        too_long = "Het hoort echt bij flirten " + "en nog veel meer " * 300 + ", voor je"
        edit(project / "content/n3/nl.yaml", "Het hoort echt bij flirten, voor je", too_long)
        page.wait_for_selector(f"{nl_card} .error")
        text = page.locator(f"{nl_card} .error").inner_text()
        assert "does not fit" in text
        assert page.locator('.card[data-sheet="n3-youth"][data-lang="fr"] img').count() == 2

        # A rebuild that ends in a bug: the page says so instead of waiting forever,
        # and keeps the last pages it had.
        import fiche.build.job

        def bug(*args, **kwargs):
            raise RuntimeError("simulated bug in the build")

        monkeypatch.setattr(fiche.build.job, "build_job", bug)
        edit(project / "content/n3/nl.yaml", too_long, "Het hoort echt bij flirten, voor je")
        page.wait_for_function(
            "() => document.querySelector('.problems').innerText.includes('simulated bug')"
        )
        problems = page.locator(".problems").inner_text()
        assert "internal error while rebuilding" in problems
        assert page.locator('.card[data-sheet="n3-youth"][data-lang="fr"] img').count() == 2
        # Writing the file is not atomic: the watcher may see it half written and
        # rebuild twice, so the page may show the message while a second rebuild runs.
        # What matters is that the server ends up idle, not that it already is.
        # (wait_for_function does not await a promise: the page asks, the test waits.)
        page.evaluate(
            """() => { window.idle = false; (async () => {
                 while ((await (await fetch('/version')).json()).building)
                   await new Promise(r => setTimeout(r, 100));
                 window.idle = true; })(); }"""
        )
        page.wait_for_function("() => window.idle")

        # Once the bug is gone, the next change rebuilds and the message goes.
        monkeypatch.undo()
        edit(project / "content/n3/nl.yaml", "Het hoort echt bij", "Het hoort bij")
        page.wait_for_function(
            "() => !document.querySelector('.problems').innerText.includes('simulated bug')"
            f" && document.querySelectorAll('{nl_card} img').length == 2"
        )
        browser.close()


@pytest.fixture
def fixed(tmp_path):
    """A server over a preview whose state the test sets: no build, only the page."""
    from PIL import Image

    from fiche.tools.httpd import make_server
    from fiche.tools.live import Preview, State

    preview = Preview(tmp_path, tmp_path / "cache")
    folder = tmp_path / "cache" / "png" / "nl"
    folder.mkdir(parents=True)
    for i in (1, 2):
        Image.new("RGB", (30, 42), "white").save(folder / f"n3-youth.screen-p{i}.png")
    preview.state = State(5, [youth_card("a1")], {}, [])
    server = make_server(preview, 0, "t")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield preview, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(SAFETY)


def youth_card(sha: str, sheet: str = "n3-youth") -> dict:
    pages = [f"nl/{sheet}.screen-p{i}.png" for i in (1, 2)]
    return {"fiche": "n3", "sheet": sheet, "lang": "nl", "pages": pages, "error": "", "sha": sha}


SHOWS = "sha => document.querySelector('.card img').getAttribute('src').endsWith('?v=' + sha)"


def test_a_rebuilt_sheet_is_pushed_to_the_page_in_place(fixed):
    pw = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    executable = chromium()
    preview, url = fixed
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(url)
        page.evaluate("window.sameDocument = true")
        # Looking at the page large: that sheet is built first, and updated in the view.
        page.locator(".card img").nth(1).click()
        page.wait_for_function("() => document.getElementById('large').style.display == 'block'")
        with preview.lock:  # the page's stream says which sheet it shows large
            assert preview.changed.wait_for(lambda: "nl/n3-youth" in preview.focus, SAFETY)
        preview.publish(cards=[youth_card("b2")], status={"n3/nl": "complete, pushed"})
        page.wait_for_function(SHOWS, arg="b2")
        page.wait_for_function("() => document.querySelector('#large img').src.endsWith('?v=b2')")
        assert "n3-youth.screen-p2.png" in page.locator("#large img").get_attribute("src")
        page.wait_for_function(
            "() => document.querySelector('.status').textContent == 'complete, pushed'"
        )
        preview.publish(problems=["a problem of the catalogue"])
        page.wait_for_function(
            "() => document.querySelector('.problems').textContent.includes('a problem')"
        )
        assert page.evaluate("window.sameDocument") is True  # all without a reload
        # Another list of sheets: the page reloads to show it.
        preview.publish(cards=[youth_card("b2"), youth_card("c3", "n3-zz")])
        page.wait_for_function("() => document.querySelectorAll('.card').length == 2")
        assert page.evaluate("window.sameDocument") is None
        browser.close()


def test_without_server_sent_events_the_page_polls_and_reloads(fixed):
    pw = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    executable = chromium()
    preview, url = fixed
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(WAIT_MS)
        page.add_init_script("delete window.EventSource")
        page.goto(url)
        page.wait_for_function(SHOWS, arg="a1")
        preview.publish(cards=[youth_card("b2")])
        page.wait_for_function(SHOWS, arg="b2")
        browser.close()


def test_a_refused_stream_falls_back_to_polling(fixed):
    """More pages open than streams allowed: the page still follows the changes."""
    pw = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    executable = chromium()
    preview, url = fixed
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(WAIT_MS)
        page.route("**/events?*", lambda route: route.fulfill(status=503, body="busy"))
        page.goto(url)
        page.wait_for_function(SHOWS, arg="a1")
        preview.publish(cards=[youth_card("b2")])
        page.wait_for_function(SHOWS, arg="b2")
        browser.close()


def test_serve_only_listens_on_loopback(tmp_path):
    from fiche.tools.httpd import make_server
    from fiche.tools.live import Preview

    server = make_server(Preview(tmp_path, tmp_path / "cache"), 0, "t")
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()


def test_page_escapes_what_it_shows():
    from fiche.tools.live import State
    from fiche.tools.page import render_page

    state = State(
        1,
        [
            {
                "fiche": "f",
                "sheet": "<s>",
                "lang": "nl",
                "pages": [],
                "error": "<script>alert(1)</script>",
            }
        ],
        {},
        [],
    )
    page = render_page(state, "t")
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
