"""XLIFF out and in: the texts of a fiche for translators' tools, and their work back.

`units` lists what a translator translates (one unit per text of each block, the meta
and the sheet titles) with its context; `inline` carries the inline marks as XLIFF
codes; `writer` makes XLIFF 2.0 or 1.2 documents; `reader` checks a returned file and
gives its targets as content text; `apply` writes them into the language's YAML,
keeping its comments, order and formatting.
"""
