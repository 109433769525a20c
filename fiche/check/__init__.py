"""Check: a written PDF read back before it is kept.

Takes: PDF bytes and what the sheet's text must be. Gives: problems found by
preflight (boxes, fonts embedded, colour spaces, metadata) and by the text check
(the text a reader extracts equals the source).
"""
