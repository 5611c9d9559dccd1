"""``tthc import dossiers|units|agencies|procedures|postal FILE``: the province's own data.

Every import runs in one transaction, prints a progress bar for large files and a final
summary line (added, updated, unchanged, rejected), writes rejected rows to a CSV report
and records the run in ``import_runs`` (the app's Import history page; the app's cache
follows it, so new data shows without a restart). Exit code 1 when nothing was imported.
"""
from __future__ import annotations

import shlex
import sys

import click

KINDS_HELP = {
    "units": "Administrative units (province, districts, communes) with their official codes.",
    "agencies": "Receiving agencies (provincial departments; People's Committees are created with their units).",
    "procedures": "Procedures with their sector, level, online level and processing time.",
    "postal": "Postal-substitution records per unit and year (Decision 2114).",
}


class ImportCliError(click.ClickException):
    def show(self, file=None):
        click.echo(f"tthc import: {self.message}", err=True)


def _engine(url):
    from .config import database_url
    from .db import has_schema, make_engine

    engine = make_engine(url or database_url())
    try:
        ok = has_schema(engine)
    except Exception as exc:  # noqa: BLE001
        raise ImportCliError(f"cannot reach the database: {str(exc).splitlines()[0][:200]}") from exc
    if not ok:
        raise ImportCliError("the database has no dossier tables: run `tthc db upgrade` first")
    return engine


def _mapping(pairs, mapping_file):
    from .importer.columns import load_mapping

    try:
        return load_mapping(tuple(pairs), mapping_file)
    except ValueError as exc:
        raise ImportCliError(str(exc)) from exc


def _command_line() -> str:
    return "tthc " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:] else "tthc import"


def _finish(run):
    from .importer import ImportFileError, NothingValid

    try:
        result = run()
    except NothingValid as exc:
        raise ImportCliError(f"{exc} (database unchanged)") from exc
    except ImportFileError as exc:
        raise ImportCliError(f"{exc} (database unchanged)") from exc
    except ValueError as exc:
        raise ImportCliError(str(exc)) from exc
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(result.summary_line())


common = [
    click.option("--map", "pairs", multiple=True, metavar="HEADER=FIELD",
                 help="Read a column with another header as a field, e.g. --map 'Số HS=code' (repeatable)."),
    click.option("--mapping", "mapping_file", type=click.Path(dir_okay=False), default=None,
                 help='JSON file {"header": "field"} for other header names.'),
    click.option("--url", default=None, help="Database URL (default: DATABASE_URL or the demo SQLite file)."),
    click.option("--report-dir", type=click.Path(file_okay=False), default=None,
                 help="Where rejected-rows reports go (default: var/import-reports or IMPORT_REPORTS_DIR)."),
]


def with_common(fn):
    for opt in reversed(common):
        fn = opt(fn)
    return fn


@click.group("import")
def import_group() -> None:
    """Import the province's data files (CSV or XLSX; see docs/import-format.md)."""


@import_group.command("dossiers")
@click.argument("file", type=click.Path(dir_okay=False))
@with_common
@click.option("--chunk-rows", type=int, default=100_000, show_default=True, help="Rows read at a time (bounds memory).")
def import_dossiers_cmd(file, pairs, mapping_file, url, report_dir, chunk_rows):
    """Dossiers exported from the one-stop information system: added or updated by dossier code."""
    from .importer import import_dossiers
    from .importer.readers import open_table

    mapping = _mapping(pairs, mapping_file)
    engine = _engine(url)

    def run():
        est = open_table(file, "dossiers", mapping, chunk_rows=chunk_rows).est_rows or 0
        if est > chunk_rows:
            with click.progressbar(length=est, label="Importing dossiers", file=sys.stderr, show_pos=True) as bar:
                return import_dossiers(engine, file, mapping=mapping, command=_command_line(), report_dir=report_dir,
                                       chunk_rows=chunk_rows, progress=lambda n: bar.update(min(n, max(0, est - bar.pos))))
        return import_dossiers(engine, file, mapping=mapping, command=_command_line(), report_dir=report_dir,
                               chunk_rows=chunk_rows)

    try:
        _finish(run)
    finally:
        engine.dispose()


def _catalog_command(kind: str):
    @with_common
    @click.argument("file", type=click.Path(dir_okay=False))
    def cmd(file, pairs, mapping_file, url, report_dir):
        from .importer import import_catalog

        mapping = _mapping(pairs, mapping_file)
        engine = _engine(url)
        try:
            _finish(lambda: import_catalog(engine, kind, file, mapping=mapping, command=_command_line(),
                                           report_dir=report_dir))
        finally:
            engine.dispose()

    cmd.__doc__ = KINDS_HELP[kind]
    return import_group.command(kind)(cmd)


for _kind in KINDS_HELP:
    _catalog_command(_kind)
