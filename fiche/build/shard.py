"""`--shard K/N`: a stable K-th of N of a build's jobs, for builds spread over machines.

A job's shard is a hash of its fiche, sheet and language alone, never of its place among
the other jobs: adding a fiche or a language moves no other job to another shard, so
each runner of a release keeps its work. All profiles of one sheet in one language go
to the same shard, where the sheet can be set once for all of them. A school build
shards its jobs as the catalogue build does: shard K of both holds the same sheets.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from fiche.model.jobs import Job

_FORM = re.compile(r"(\d{1,9})/(\d{1,9})")


@dataclass(frozen=True)
class Shard:
    index: int  # K, from 1
    count: int  # N

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError(f"{self}: N must be at least 1")
        if not 1 <= self.index <= self.count:
            raise ValueError(f"{self}: K must be from 1 to N ({self.count})")

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, job: Job) -> bool:
        return shard_of(job, self.count) == self.index


def parse_shard(text: str) -> Shard:
    """`K/N` as a `Shard`; a ValueError saying what is wrong with anything else."""
    m = _FORM.fullmatch(text.strip())
    if m is None:
        raise ValueError(f"{text!r} is not K/N (two whole numbers, e.g. 2/3)")
    return Shard(int(m[1]), int(m[2]))


def shard_of(job: Job, count: int) -> int:
    """The shard (from 1) of `count` that builds `job`."""
    digest = hashlib.sha256(f"{job.fiche}/{job.sheet}/{job.lang}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % count + 1
