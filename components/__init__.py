"""Reusable layout pieces and figure builders: small factory functions."""
