"""Tools: what designers and translators use around a build.

Takes: the stages below. Gives: the live preview server (`serve`), page previews
(`preview`), visual diffs (`diff`), new fiche scaffolds (`scaffold`) and
translation status (`translation`).
"""
