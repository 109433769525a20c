"""The HTML of the `fiche serve` page: a card per sheet and language.

The page listens to `/events` (server-sent events): each sheet rebuilt comes as its card,
replaced in place (and in the large view if that shows it); a change of the list of
sheets makes it reload. It tells the server which sheet it shows large (`focus`), which
is then rebuilt first. Where the stream cannot be had (no EventSource, or refused), it
asks `/version` every second and reloads when a rebuild finished, as before.
"""

from __future__ import annotations

import html
import json

from fiche.tools.live import State, card_key

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fiche — {title}</title>
<style>
 body {{ font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; background: #f4f4f6; }}
 h1 {{ font-size: 1.3rem; }} .grid {{ display: flex; flex-wrap: wrap; gap: 1rem; }}
 .card {{ background: white; padding: .6rem; border-radius: 6px; box-shadow: 0 1px 3px #0002; }}
 .card h2 {{ font-size: .95rem; margin: 0 0 .4rem; }} .pages img {{ height: 180px;
   border: 1px solid #ccc; margin-right: .3rem; cursor: zoom-in; }}
 .pending {{ height: 180px; width: 254px; color: #888; font-size: .8rem; }}
 .error {{ color: #a00; white-space: pre-wrap; max-width: 32rem; font-size: .8rem; }}
 .status {{ color: #555; font-size: .8rem; }} #large {{ display: none; position: fixed;
   inset: 0; background: #000c; text-align: center; }} #large img {{ max-height: 96vh;
   margin-top: 2vh; background: white; }}
</style></head><body>
<h1>{title}</h1>
<div class="problems error">{problems}</div>
<div class="grid">{cards}</div>
<div id="large"><img alt="page"></div>
<script>
 let version = {version}, shown = null, events = null, polling = false;
 const large = document.getElementById('large');
 function card(key) {{
   return [...document.querySelectorAll('.card')].find(c => c.dataset.key === key); }}
 function show(img) {{
   shown = {{key: img.closest('.card').dataset.key, page: img.dataset.page}};
   large.querySelector('img').src = img.dataset.large; large.style.display = 'block';
   listen(); }}
 large.onclick = () => {{ large.style.display = 'none'; shown = null; listen(); }};
 document.addEventListener('click', e => {{
   if (e.target.matches('.pages img')) show(e.target); }});
 function poll() {{
   if (polling) return; polling = true;
   setInterval(async () => {{
     try {{ const r = await fetch('/version'); const v = await r.json();
       if (v.version !== version && !v.building) location.reload(); }} catch (e) {{}}
   }}, 1000); }}
 function listen() {{
   if (!window.EventSource) return poll();
   if (events) events.close();
   const focus = shown ? '&focus=' + encodeURIComponent(shown.key) : '';
   events = new EventSource('/events?v=' + version + focus);
   events.addEventListener('card', e => {{
     const d = JSON.parse(e.data), old = card(d.key);
     if (old) old.outerHTML = d.html;
     if (shown && shown.key === d.key) {{
       const img = card(d.key).querySelector(`img[data-page="${{shown.page}}"]`);
       if (img) large.querySelector('img').src = img.dataset.large; }}
     version = Number(e.lastEventId); }});
   events.addEventListener('problems', e => {{
     const d = JSON.parse(e.data);
     document.querySelector('.problems').textContent = d.problems;
     for (const [key, text] of Object.entries(d.status)) {{
       const c = card(key); if (c) c.querySelector('.status').textContent = text; }}
     version = Number(e.lastEventId); }});
   events.addEventListener('version', e => {{ version = Number(e.lastEventId); }});
   events.addEventListener('reload', () => location.reload());
   events.onerror = () => {{
     if (events.readyState === EventSource.CLOSED) {{ events = null; poll(); }} }};
 }}
 listen();
</script></body></html>"""


def render_card(card: dict, status: dict[str, str]) -> str:
    """One card: the thumbnails of the sheet, its error, or that it is being built."""
    head = f"{html.escape(card['sheet'])} — {html.escape(card['lang'])}"
    note = html.escape(status.get(f"{card['fiche']}/{card['lang']}", ""))
    if card["error"]:
        body = f'<div class="error" data-error="1">{html.escape(card["error"])}</div>'
    elif not card["pages"]:
        body = '<div class="pending">building…</div>'
    else:
        v = html.escape(card.get("sha", ""))
        imgs = "".join(
            f'<img src="/png/{html.escape(p)}?v={v}" alt="{head}, page {i}" '
            f'data-page="{i}" data-large="/large/{html.escape(p)}?v={v}">'
            for i, p in enumerate(card["pages"], start=1)
        )
        body = f'<div class="pages">{imgs}</div>'
    return (
        f'<div class="card" data-sheet="{html.escape(card["sheet"])}" '
        f'data-lang="{html.escape(card["lang"])}" data-key="{html.escape(card_key(card))}">'
        f'<h2>{head}</h2>{body}<div class="status">{note}</div></div>'
    )


def render_page(state: State, title: str) -> str:
    cards = "".join(render_card(c, state.status) for c in state.cards)
    problems = html.escape("\n".join(state.problems))
    return PAGE.format(
        title=html.escape(title), problems=problems, cards=cards, version=state.version
    )


def status_by_card(state: State) -> dict[str, str]:
    return {card_key(c): state.status.get(f"{c['fiche']}/{c['lang']}", "") for c in state.cards}


def events(state: State, seen: int) -> list[tuple[str, dict]]:
    """The server-sent events that bring a page that has seen version `seen` to `state`."""
    if seen < state.shape or seen > state.version:  # other sheets, or another session
        return [("reload", {})]
    out: list[tuple[str, dict]] = [
        ("card", {"key": card_key(c), "html": render_card(c, state.status)})
        for c in state.cards
        if c.get("version", 0) > seen
    ]
    if state.problems_at > seen:
        out.append(
            ("problems", {"problems": "\n".join(state.problems), "status": status_by_card(state)})
        )
    if state.version > seen:
        out.append(("version", {}))
    return out


def event_text(name: str, data: dict, version: int) -> bytes:
    """One event as the stream carries it; JSON keeps it on one line."""
    return f"event: {name}\nid: {version}\ndata: {json.dumps(data)}\n\n".encode()
