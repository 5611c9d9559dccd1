"""The overview page (/)."""
