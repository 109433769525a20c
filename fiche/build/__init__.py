"""Build: every job of a selection, built, checked and recorded.

Takes: a `Catalog`, a selection, an output folder. Gives: PDFs written atomically
into the folder, a manifest of what each was made from (input hashes), incremental
rebuilds, parallel workers, and a report with an exit status.
"""
