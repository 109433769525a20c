"""PDF: a drawn PDF finished for its profile with pikepdf.

Takes: the bytes from `paint` and the profile. Gives: the file as delivered: page
boxes, output intent, XMP metadata, structure tree (PDF/UA), PDF/X and PDF/A keys.
"""
