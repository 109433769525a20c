"""The HTML of the `fiche serve` page: a card per sheet and language.

The page asks `/version` every second and reloads itself when a rebuild finished.
"""

from __future__ import annotations

import html

from fiche.tools.live import State

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
