"""The pages: one folder each; ``<folder>/<page>.py`` registers the page with Dash (files starting with "_" are the page's own modules, which Dash does not import as pages)."""
