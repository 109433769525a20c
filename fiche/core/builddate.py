"""The date written into every PDF: the environment's `SOURCE_DATE_EPOCH`, never the clock."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from fiche.core.errors import FicheError

# The last second a PDF date (D:YYYY…) can say, 9999-12-31T23:59:59Z.
LAST_EPOCH = 253_402_300_799


def source_date_epoch() -> int | None:
    """The build date the environment asks for (reproducible builds'
    `SOURCE_DATE_EPOCH`), or None when unset; `FicheError` when it is not a time.

    ReportLab reads the variable itself and fails on anything but an integer, so it is
    checked before anything is rendered."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and int(raw) <= LAST_EPOCH):
        raise FicheError.at(
            "",
            "SOURCE_DATE_EPOCH",
            f"{raw[:40]!r} is not a build date: give whole seconds since 1970-01-01 UTC, at "
            f"most {LAST_EPOCH} (the end of the year 9999), e.g. `git log -1 --format=%ct`",
        )
    return int(raw)


def build_date() -> datetime:
    """`SOURCE_DATE_EPOCH` if set, else a fixed date: never the clock."""
    seconds = source_date_epoch()
    return datetime.fromtimestamp(946684800 if seconds is None else seconds, UTC)  # 2000-01-01
