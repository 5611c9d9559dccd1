"""``tthc``: the operators' command line (``cli.main:main``)."""
