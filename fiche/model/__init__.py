"""Model: the YAML sources, validated, with the file and line of every value.

Takes: content/, layouts/, a school profile, assets/ (read through `core.safeio`).
Gives: a `Catalog` (fiches, languages, layouts, what can be built as `Job`s),
`Layout`, `LanguageFile`, `LoadedSchool`, output `Profile`s, and the JSON Schemas of
these models. Knows nothing of ReportLab or PDF.
"""
