"""`fiche serve` driven end to end in a real headless browser (Chromium via Playwright)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
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


def _chromium() -> str:
    """The system Chromium; installed with apt where we may, else the test is skipped."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("no Chromium, and no root apt-get to install it (Debian package chromium)")
    try:
        subprocess.run(["apt-get", "update", "-qq"], check=True, timeout=300, capture_output=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium"],
            check=True,
            timeout=600,
            capture_output=True,
        )
    except (subprocess.SubprocessError, OSError) as e:
        pytest.skip(f"Chromium could not be installed here: {e}")
    path = shutil.which("chromium")
    if not path:
        pytest.skip("apt-get installed chromium but no chromium command appeared")
    return path


@pytest.fixture
def server(project):
    from fiche.serve import serve

    stop = threading.Event()
    messages: list[str] = []
    up = threading.Event()

    def ready(msg: str) -> None:
        messages.append(msg)
        up.set()

    thread = threading.Thread(
        target=serve,
        daemon=True,
        kwargs=dict(
            root=project, port=0, cache=project / ".cache", ready=ready, stop=stop, interval=0.2
        ),
    )
    thread.start()
    assert up.wait(120), "the server did not start"
    url = re.search(r"http://127\.0\.0\.1:\d+/", messages[0]).group(0)
    yield url, messages
    stop.set()
    thread.join(10)


def test_serve_shows_the_catalogue_and_refreshes_after_an_edit(project, server):
    pw = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    executable = _chromium()
    url, messages = server
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url)
        cards = page.locator(".card")
        assert cards.count() == 12  # 3 sheets x 4 languages, screen profile
        card = page.locator('.card[data-sheet="n3-youth"][data-lang="nl"]')
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

        # A designer edits a sentence: the page reloads by itself with the new page.
        edit(
            project / "content/n3/nl.yaml",
            "Het hoort bij flirten, voor je",
            "Het hoort echt bij flirten, voor je",
        )
        page.wait_for_function(
            "old => { const i = document.querySelector("
            '\'.card[data-sheet="n3-youth"][data-lang="nl"] img\');'
            " return i && !i.src.endsWith(old) && i.complete && i.naturalWidth > 0; }",
            arg=first_src.split("/png/")[1],
            timeout=60_000,
        )
        new_src = (
            page.locator('.card[data-sheet="n3-youth"][data-lang="nl"] img')
            .nth(0)
            .get_attribute("src")
        )
        assert new_src != first_src
        # other languages were not rebuilt: their thumbnails keep their address
        assert any("rebuilt" in m for m in messages)

        # Clicking a thumbnail shows the page large.
        page.locator('.card[data-sheet="n3-youth"][data-lang="nl"] img').nth(1).click()
        large = page.locator("#large img")
        page.wait_for_function(
            "i => i.complete && i.naturalWidth > 800", arg=large.element_handle()
        )
        assert page.locator("#large").is_visible()

        # An error replaces the pages of the sheet that failed, in place.
        edit(
            project / "content/n3/nl.yaml",
            "Het hoort echt bij flirten, voor je",
            "Het hoort echt bij flirten " + "en nog veel meer " * 300 + ", voor je",
        )
        page.wait_for_selector(
            '.card[data-sheet="n3-youth"][data-lang="nl"] .error', timeout=60_000
        )
        text = page.locator('.card[data-sheet="n3-youth"][data-lang="nl"] .error').inner_text()
        assert "does not fit" in text
        assert page.locator('.card[data-sheet="n3-youth"][data-lang="fr"] img').count() == 2
        browser.close()


def test_serve_only_listens_on_loopback(tmp_path):
    from fiche.serve import Preview, make_server

    server = make_server(Preview(tmp_path, tmp_path / "cache"), 0, "t")
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()


def test_page_escapes_what_it_shows():
    from fiche.serve import State, render_page

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


def test_serve_pages_cannot_read_outside_the_cache(server):
    import urllib.error
    import urllib.request

    url, _ = server
    for path in ("png/../../content/n3/nl.yaml", "png/%2e%2e/%2e%2e/content/n3/nl.yaml"):
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(url + path, timeout=5)
        assert e.value.code == 404
