"""Tools: what designers and translators use around a build.

Takes: the stages below. Gives: the live preview server (`serve`), page previews
(`preview`), visual diffs (`diff`), new fiche scaffolds (`scaffold`),
translation status (`translation`) and XLIFF out and in for translators' tools (`xliff`).
"""
