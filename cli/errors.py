"""The one error type of the command line: one clear line on stderr, exit code 1, no traceback."""
from __future__ import annotations

import click


class CliError(click.ClickException):
    """``tthc: <message>`` and exit code 1 (a group may name itself: ``tthc import: <message>``)."""

    command = "tthc"

    def show(self, file=None):
        click.echo(f"{self.command}: {self.message}", err=True)


def first_line(exc: BaseException, limit: int = 300) -> str:
    """An exception as one line an operator can read (its first line, bounded)."""
    text = str(exc).strip()
    return (text.splitlines()[0] if text else exc.__class__.__name__)[:limit]
