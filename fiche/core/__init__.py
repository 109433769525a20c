"""Core: what every stage needs and nothing stage-specific.

Takes: nothing from fiche. Gives: `Problem` and the `FicheError` family (errors with
file, line and field), reading a user's file safely (`safeio`), atomic writes
(`atomic`), colour conversion through the shipped ICC profile (`colour`), and the
characters that cannot be read back from a PDF (`characters`).
"""
