"""The manifests of a sharded build (`fiche build --shard K/N`) joined into the whole's.

Each shard's manifest records its outputs and, under its selection with the shard, the
tree hash of the whole selection's inputs (see `run._selection`). The merged manifest
lists every shard's outputs and records that tree under the selection without the
shard, with the union of the shards' outputs: once the shards' files are together,
`fiche build` with the same options finds every output up to date, as after one build
on one machine. Merging refuses what would make that untrue: shards built from other
inputs or by another fiche, a missing shard, an output two shards made differently.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fiche.build.manifest import VERSION, Entry, data_of, parse, recorded_in
from fiche.build.shard import Shard, parse_shard
from fiche.core.errors import FicheError, Problem

_SHARD_FIELD = "shard"  # the selection's field `run._selection` adds for --shard


@dataclass(frozen=True)
class _Part:
    """One shard's record of a complete build: which shard, of what, from which inputs."""

    source: str  # the manifest it is in, as the user named it
    whole: str  # the selection's key without the shard
    shard: Shard
    tree: str
    outputs: tuple[str, ...]


def merge(sources: Sequence[tuple[str, Path]]) -> dict:
    """The data of the merged manifest of the manifests at the given paths (each with the name to
    report it by); a `FicheError` with every reason it cannot be made."""
    problems: list[Problem] = []
    entries: dict[str, tuple[str, Entry]] = {}
    parts: list[_Part] = []
    for name, path in sources:
        data = _load(name, path, problems)
        if data is None:
            continue
        recorded = recorded_in(data)
        if len(recorded.entries) != len(data["outputs"]):
            problems.append(_at(name, "holds outputs fiche cannot read: is it damaged?"))
        _claim(name, recorded.entries, entries, problems)
        found = _parts(name, recorded.trees, problems)
        if not found:
            problems.append(
                _at(
                    name,
                    "records no complete build of a shard: build it with "
                    "`fiche build --shard K/N` until it ends without errors",
                )
            )
        parts += found
    trees = _wholes(parts, problems)
    for whole in trees.values():
        for o in whole["outputs"]:
            if o not in entries:
                problems.append(Problem.general(f"{o}: listed as built but has no entry"))
    if problems:
        raise FicheError(problems)
    return data_of({k: e for k, (_, e) in entries.items()}, trees)


def _at(name: str, message: str) -> Problem:
    return Problem(name, 0, 0, "", message)


def _load(name: str, path: Path, problems: list[Problem]) -> dict | None:
    data = parse(path)
    if data is None:
        problems.append(_at(name, "not a manifest of fiche's (or not readable)"))
        return None
    if data.get("version") != VERSION:
        problems.append(
            _at(
                name,
                f"a manifest of version {data.get('version')!r}; this fiche reads and "
                f"writes version {VERSION}: build every shard with the same fiche",
            )
        )
        return None
    return data


def _claim(
    name: str,
    found: dict[str, Entry],
    entries: dict[str, tuple[str, Entry]],
    problems: list[Problem],
) -> None:
    """Add `found` to `entries`; an output another manifest records otherwise is a
    problem: no merge can say which of the two files is the release's."""
    for path, entry in sorted(found.items()):
        if path not in entries:
            entries[path] = (name, entry)
            continue
        other, was = entries[path]
        if was.sha256 != entry.sha256:
            problems.append(
                Problem.general(
                    f"{path}: made by {other} (sha256 {was.sha256[:12]}…) and by {name} "
                    f"(sha256 {entry.sha256[:12]}…) with different contents"
                )
            )
        elif was != entry:
            problems.append(
                Problem.general(f"{path}: recorded differently by {other} and by {name}")
            )


def _parts(name: str, trees: dict[str, dict], problems: list[Problem]) -> list[_Part]:
    """The complete shard builds a manifest records; its builds without --shard are left
    out (the merged manifest records the whole of the shards instead)."""
    out = []
    for key, record in trees.items():
        try:
            selection = json.loads(key)
            shard = selection.pop(_SHARD_FIELD, None)
            if shard is None:
                continue
            part = _Part(
                name,
                json.dumps(selection, sort_keys=True),
                parse_shard(str(shard)),
                record["tree"],
                tuple(record["outputs"]),
            )
        except (ValueError, AttributeError, TypeError):
            problems.append(_at(name, f"a build record fiche cannot read: {key[:80]}"))
            continue
        out.append(part)
    return out


def _wholes(parts: list[_Part], problems: list[Problem]) -> dict[str, dict]:
    """Per selection, the record of its whole build: every shard from 1 to N there, all
    built from the same inputs by the same fiche."""
    groups: dict[tuple[str, int], dict[int, _Part]] = {}
    for part in parts:
        group = groups.setdefault((part.whole, part.shard.count), {})
        was = group.setdefault(part.shard.index, part)
        if was.tree != part.tree or set(was.outputs) != set(part.outputs):
            problems.append(
                Problem.general(
                    f"shard {part.shard} is in both {was.source} and {part.source}, "
                    "built differently"
                )
            )
    out: dict[str, dict] = {}
    for (whole, count), group in sorted(groups.items()):
        missing = [f"{k}/{count}" for k in range(1, count + 1) if k not in group]
        if missing:
            given = ", ".join(f"{p.shard} ({p.source})" for _, p in sorted(group.items()))
            problems.append(Problem.general(f"shard {', '.join(missing)} missing (given: {given})"))
            continue
        first = group[1]
        for other in (p for p in group.values() if p.tree != first.tree):
            problems.append(
                Problem.general(
                    f"{first.source} (shard {first.shard}) and {other.source} (shard "
                    f"{other.shard}) were built from different inputs, by another version "
                    "of fiche or its libraries, or with another SOURCE_DATE_EPOCH: build "
                    "every shard from the same commit with the same set-up"
                )
            )
        outputs = sorted({o for p in group.values() for o in p.outputs})
        record = {"tree": first.tree, "outputs": outputs}
        if out.setdefault(whole, record) != record:
            problems.append(
                Problem.general("the manifests hold two different builds of one selection")
            )
    return out
