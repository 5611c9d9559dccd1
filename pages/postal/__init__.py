"""The postal substitution page (/postal)."""
