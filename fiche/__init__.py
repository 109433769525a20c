"""fiche: numbered, two-sided info sheets as print-ready PDFs from YAML content."""

__version__ = "0.1.0"

# The block kinds live in `fiche.blocks`, above the stages that dispatch to them
# (content model, typeset, engine, contrast check), which therefore cannot import
# them. Loading them here, whatever module is imported first, registers every kind
# and completes the content model before anything reads a content file.
import fiche.blocks  # noqa: E402, F401
