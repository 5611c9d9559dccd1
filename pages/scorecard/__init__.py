"""The service-index scorecard page (/scorecard)."""
