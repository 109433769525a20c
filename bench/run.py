"""fiche's benchmark: medians and ratios measured side by side in one run.

Run it with `make bench` (installs the `bench` extra: Typst and WeasyPrint).
Writes bench/results.md and prints the same table. Timings are wall-clock
medians on a shared machine: compare the ratios, which are measured together.

  (a) one fiche rendered in-process (nl, n3-sexting, print), beside Typst and
      WeasyPrint compiling an equivalent two-page fiche from the same text;
  (b) whole processes from the command line: one fiche, the catalogue cold with
      --jobs 1 and --jobs 2, and a no-op rebuild (which must not import ReportLab);
  (c) synthetic catalogues of 10, 100 and 500 fiches: time per fiche and peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def median_time(fn, runs: int) -> float:
    fn()  # warm-up: imports, font registration, caches
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


_variants = iter(range(10**9))


def _variant(typ: Path) -> Path:
    """The same source with one word changed, as after an edit: Typst's memo cache would
    otherwise answer a repeated compile without typesetting anything."""
    n = next(_variants)
    path = typ.with_name(f"v{n}.typ")
    path.write_text(
        typ.read_text(encoding="utf-8").replace("Sexting", f"Sexting{n}", 1), encoding="utf-8"
    )
    return path


def _edited(sheet, n: int):
    """`sheet` with its first "Sexting" changed as in `_variant`, so that fiche, like
    Typst, sets a changed text each run instead of an identical one."""
    import dataclasses

    from fiche.typeset.sheet import TText

    done = False

    def walk(obj):
        nonlocal done
        if done:
            return obj
        if isinstance(obj, TText):
            if "Sexting" in obj.plain:
                done = True
                return dataclasses.replace(
                    obj,
                    markup=obj.markup.replace("Sexting", f"Sexting{n}", 1),
                    plain=obj.plain.replace("Sexting", f"Sexting{n}", 1),
                )
            return obj
        if isinstance(obj, tuple):
            return tuple(walk(o) for o in obj)
        if dataclasses.is_dataclass(obj):
            changes = {}
            for f in dataclasses.fields(obj):
                value = getattr(obj, f.name)
                new = walk(value)
                if new is not value:
                    changes[f.name] = new
            return dataclasses.replace(obj, **changes) if changes else obj
        return obj

    return walk(sheet)


def bench_in_process(runs: int) -> list[tuple[str, float]]:
    import typst
    import weasyprint

    from bench.peers import html_source, typst_source
    from fiche.build.job import build_job
    from fiche.model.catalog import Job, load_catalog
    from fiche.model.profiles import PROFILES
    from fiche.paint.render import render_pdf
    from fiche.typeset import linebreak
    from fiche.typeset.sheet import typeset

    cat = load_catalog(ROOT)
    job = Job("n3", "n3-sexting", "nl")
    profile = PROFILES["print"]
    sheet = typeset(cat, job)
    layout = cat.layouts[sheet.layout]
    tmp = Path(tempfile.mkdtemp())
    typ = tmp / "fiche.typ"
    typ.write_text(typst_source(sheet), encoding="utf-8")
    fonts = ROOT / "assets" / "fonts"
    page = html_source(sheet, fonts)

    def render():
        return render_pdf(
            _edited(typeset(cat, job), next(_variants)),
            layout,
            profile,
            ROOT / "assets",
            hyphenation_dir=ROOT / "hyphenation",
        )

    rows = [
        (
            "fiche: render (typeset + ReportLab, fitted), new text each run",
            median_time(render, runs),
        ),
        (
            "fiche: render, new text and nothing cached (no measured words kept)",
            median_time(lambda: (linebreak.clear_caches(), render())[1], runs),
        ),
        (
            "fiche: whole job (render + pikepdf + preflight + text check)",
            median_time(lambda: build_job(cat, job, profile), runs),
        ),
        (
            "Typst 0.15, new text each run (typst.compile)",
            median_time(lambda: typst.compile(str(_variant(typ)), font_paths=[str(fonts)]), runs),
        ),
        (
            "Typst 0.15, same text again (its in-process memo cache)",
            median_time(lambda: typst.compile(str(typ), font_paths=[str(fonts)]), runs),
        ),
        (
            "WeasyPrint (HTML(string).write_pdf)",
            median_time(lambda: weasyprint.HTML(string=page).write_pdf(), runs),
        ),
    ]
    shutil.rmtree(tmp)
    return rows


def _cli(args: list[str], root: Path = ROOT, env: dict | None = None) -> float:
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "fiche", *args, "--root", str(root), "-q"],
        check=True,
        capture_output=True,
        env={**os.environ, **(env or {})},
    )
    return time.perf_counter() - t


def bench_processes(runs: int) -> list[tuple[str, float]]:
    out = Path(tempfile.mkdtemp())
    rows = []
    one = [
        "build",
        "--sheet",
        "n3-sexting",
        "--lang",
        "nl",
        "--profile",
        "print",
        "--force",
        "--jobs",
        "1",
        "--out",
        str(out / "one"),
    ]
    rows.append(
        ("one fiche, whole process (nl, print)", statistics.median(_cli(one) for _ in range(runs)))
    )
    cold1 = statistics.median(
        _cli(["build", "--force", "--jobs", "1", "--out", str(out / "c1")])
        for _ in range(max(1, runs // 3))
    )
    cold2 = statistics.median(
        _cli(["build", "--force", "--jobs", "2", "--out", str(out / "c2")])
        for _ in range(max(1, runs // 3))
    )
    noop = statistics.median(
        _cli(["build", "--jobs", "2", "--out", str(out / "c2")]) for _ in range(runs)
    )
    rows += [
        ("catalogue cold, --jobs 1", cold1),
        ("catalogue cold, --jobs 2", cold2),
        ("catalogue no-op rebuild", noop),
    ]
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from fiche.build.run import build; "
            f"build(Path({str(ROOT)!r}), Path({str(out / 'c2')!r})); "
            "print('reportlab' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    rows.append(("no-op imports ReportLab", probe.stdout.strip() == "True"))
    shutil.rmtree(out)
    return rows


def _synthetic(root: Path, n: int) -> None:
    """n fiches, each one Dutch sheet (the original layout), made from N°3's words."""
    for folder in ("layouts", "assets", "hyphenation"):
        shutil.copytree(ROOT / folder, root / folder)
    src = (ROOT / "content/n3/nl.yaml").read_text(encoding="utf-8")
    for i in range(1, n + 1):
        d = root / "content" / f"f{i:03d}"
        d.mkdir(parents=True)
        (d / "nl.yaml").write_text(
            src.replace("n3-sexting:", f"f{i:03d}-sexting:", 1).replace("N°3", f"N°{i}"),
            encoding="utf-8",
        )
        (d / "fiche.yaml").write_text(
            f"series: synthetic\nnumber: {i}\nsource_language: nl\nlanguages: [nl]\n"
            f"sheets:\n  f{i:03d}-sexting:\n    layout: original\n"
            "    front: {title: [title], main: [what, not-new, why, chances, dangers], "
            "side: [careful, spread]}\n"
            "    back: {title: [school-title], tips: [school-tips], "
            "policy: [policy, quality, prevention, reaction], "
            "footer: [credits, design-credit], contact: [contact]}\n",
            encoding="utf-8",
        )
        text = (d / "nl.yaml").read_text(encoding="utf-8")
        # keep only this fiche's sheet title entry
        start = text.index("  n3-school:")
        end = text.index("blocks:")
        (d / "nl.yaml").write_text(text[:start] + "\n" + text[end:], encoding="utf-8")


def bench_scaling(sizes: list[int]) -> list[tuple[int, float, float]]:
    rows = []
    for n in sizes:
        root = Path(tempfile.mkdtemp())
        _synthetic(root, n)
        code = (
            "import resource, sys, time; from pathlib import Path; "
            "from fiche.build.run import build; t = time.perf_counter(); "
            f"r = build(Path({str(root)!r}), Path({str(root / 'dist')!r}), "
            "profiles=('print',), jobs=1); "
            "assert r.exit_code == 0, [str(p) for x in r.failed for p in x.problems][:3]; "
            "print(time.perf_counter() - t, "
            "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
        )
        res = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        seconds, rss_kb = res.stdout.split()
        rows.append((n, float(seconds), int(rss_kb) / 1024))
        shutil.rmtree(root)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--sizes", default="1,10,100,500")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    args = ap.parse_args()

    a = bench_in_process(args.runs)
    b = bench_processes(max(3, args.runs // 2))
    c = bench_scaling([int(s) for s in args.sizes.split(",")])

    text = table(a, b, c, args.runs)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    print(json.dumps({"a": a, "b": b, "c": c}, default=str))


def table(a: list, b: list, c: list, runs: int) -> str:
    """The results as a Markdown report (also used to re-render a saved JSON result)."""
    typst_t = next(t for name, t in a if name.startswith("Typst 0.15, new text"))
    lines = [
        f"# fiche benchmark ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]})",
        "",
        f"## (a) one fiche in-process, median of {runs} runs",
        "",
        "| what | median | ratio to Typst |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {t * 1000:.0f} ms | {t / typst_t:.2f} |" for name, t in a]
    cold1 = next(t for name, t in b if name.endswith("--jobs 1"))
    lines += [
        "",
        "## (b) whole processes",
        "",
        "| what | median | ratio to cold --jobs 1 |",
        "|---|---|---|",
    ]
    for name, t in b:
        if isinstance(t, bool):
            lines.append(f"| {name} | {'yes' if t else 'no'} | |")
        else:
            lines.append(f"| {name} | {t:.2f} s | {t / cold1:.3f} |")
    one = next((t for n, t, _ in c if n == 1), None)
    lines += [
        "",
        "## (c) synthetic catalogues (one sheet each, print, --jobs 1)",
        "",
        "The whole build in one process, timed from the call of `build` (the catalogue",
        "is loaded inside it). A catalogue of one fiche gives the fixed cost of a build",
        "(fonts, layouts, the first job's warm-up); each larger catalogue's time per",
        "fiche is what it costs beyond that: (time − time of 1) / (fiches − 1).",
        "",
        "| fiches | whole build | time per fiche beyond the first | ratio to 10 fiches "
        "| peak memory |",
        "|---|---|---|---|---|",
    ]
    base = None
    for n, t, rss in c:
        per = ratio = ""
        if one is not None and n > 1:
            m = (t - one) / (n - 1)
            base = base or m
            per, ratio = f"{m * 1000:.0f} ms", f"{m / base:.2f}"
        lines.append(f"| {n} | {t:.2f} s | {per} | {ratio} | {rss:.0f} MiB |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
