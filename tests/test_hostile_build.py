"""Builds under hostile conditions: the ICC profile in forked workers."""

from __future__ import annotations

import multiprocessing

from .conftest import REPO

# --- the ICC profile in forked workers -------------------------------------------------

ICC = REPO / "assets/icc/ISOcoated_v2_eci.icc"


def _convert_in_child(barrier, queue) -> None:
    from PIL import Image

    from fiche import colour

    barrier.wait()
    try:
        image = colour.image_to_cmyk(Image.new("RGB", (8, 8), (200, 40, 90)), ICC).tobytes()
        queue.put(("ok", image, colour.rgb_to_cmyk((0.2, 0.5, 0.7), ICC)))
    except Exception as e:  # the failure this test is about
        queue.put(("error", repr(e), None))


def test_the_icc_profile_opened_before_a_fork_serves_every_child(monkeypatch):
    """The parent opens the profile (as loading the catalogue does), then forked workers
    use it at the same moment. LittleCMS reads a profile's tags lazily; from a file, all
    processes would share one file offset and read each other's tags."""
    from fiche import colour

    ctx = multiprocessing.get_context("fork")
    for _ in range(6):
        for cached in (
            colour._cmyk_profile,
            colour._cmyk_to_rgb,
            colour.cmyk_to_rgb,
            colour._rgb_to_cmyk,
            colour.rgb_to_cmyk,
        ):
            cached.cache_clear()
        colour.cmyk_to_rgb((10, 20, 30, 5), ICC)
        barrier, queue = ctx.Barrier(6), ctx.Queue()
        children = [ctx.Process(target=_convert_in_child, args=(barrier, queue)) for _ in range(6)]
        for c in children:
            c.start()
        answers = [queue.get(timeout=120) for _ in children]
        for c in children:
            c.join()
        assert [a[1] for a in answers if a[0] == "error"] == []
        assert len({a[1:] for a in answers}) == 1, "children computed different colours"
