"""Paint: fitted pages drawn on a ReportLab canvas.

Takes: what `engine` fitted, the layout and an output profile. Gives: the PDF bytes
of a sheet (`render.render_pdf`): decorations, regions, header texts, the school
imprint, crop marks, and the tagging records for the structure tree.
"""
