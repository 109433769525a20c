"""fiche: numbered, two-sided info sheets as print-ready PDFs from YAML content."""

__version__ = "0.1.0"
