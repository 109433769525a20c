"""Typeset: a job's text per language, ready to set.

Takes: a `Catalog`, a `Job` and an optional school from `model`. Gives: a
`TypesetSheet` (blocks with their text after the language's typography: quotes,
spaces, casing), hyphenators, and words measured and broken into lines
(`linebreak`).
"""
