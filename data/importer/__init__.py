"""Importing a province's own data: dossier exports, catalogues, postal-substitution records.

``import_dossiers`` and ``import_catalog`` are what ``tthc import ...`` runs; see
docs/import-format.md for the accepted files.
"""
from .catalogs import import_catalog
from .dossiers import ImportResult, NothingValid, import_dossiers
from .readers import ImportFileError

__all__ = ["ImportFileError", "ImportResult", "NothingValid", "import_catalog", "import_dossiers"]
