"""The late dossiers page (/late)."""
