"""The command line: parse, call one function, print its report.

Only this package knows click. Each command turns its arguments into a call of a
stage below and its result into text and an exit status.
"""

from fiche.cli.main import main

__all__ = ["main"]
