"""The import history page (/imports)."""
