"""The level comparison page (/levels)."""
