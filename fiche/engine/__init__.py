"""Engine: typeset blocks into flowables, fitted into the layout's regions.

Takes: a `TypesetSheet` and a `Layout`. Gives: per page the scale at which every
region holds its content (`fitting`), the flowables of each block (`blocks`), the
columns they flow into (`columns`), fonts registered for ReportLab (`fonts`) and
the marked content they are tagged with (`tagging`). Measures; draws only when
`paint` hands it a canvas.
"""
