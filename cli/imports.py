"""``tthc import dossiers|units|agencies|procedures|postal FILE``: the province's own data.

Every import runs in one transaction, prints a progress bar for large files and a final
summary line (added, updated, unchanged, rejected), writes rejected rows to a CSV report
and records the run in ``import_runs`` (the app's Import history page; the app's cache
follows it, so new data shows without a restart). Exit code 1 when nothing was imported.
"""
from __future__ import annotations

import os
import shlex
import sys

import click
from sqlalchemy.exc import SQLAlchemyError

from data.config import database_url
from data.db import has_schema, make_engine
from data.importer import ImportFileError, NothingValid, import_catalog, import_dossiers
from data.importer.columns import load_mapping
from data.importer.labels import Labels, LabelsFileError
from data.importer.readers import open_table

from .errors import CliError

KINDS_HELP = {
    "units": "Administrative units (province, districts, communes) with their official codes.",
    "agencies": "Receiving agencies (provincial departments; People's Committees are created with their units).",
    "procedures": "Procedures with their sector, level, online level and processing time.",
    "postal": "Postal-substitution records per unit and year (Decision 2114).",
}


class ImportCliError(CliError):
    """The import group's errors say which command failed: ``tthc import: …``."""

    command = "tthc import"


def _engine(url):
    engine = make_engine(url or database_url())
    try:
        ok = has_schema(engine)
    except Exception as exc:  # noqa: BLE001
        raise ImportCliError(f"cannot reach the database: {str(exc).splitlines()[0][:200]}") from exc
    if not ok:
        raise ImportCliError("the database has no dossier tables: run `tthc db upgrade` first")
    return engine


def _mapping(pairs, mapping_file):
    try:
        return load_mapping(tuple(pairs), mapping_file)
    except ValueError as exc:
        raise ImportCliError(str(exc)) from exc


def _command_line() -> str:
    return "tthc " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:] else "tthc import"


def _finish(run, file=None):
    try:
        result = run()
    except NothingValid as exc:
        raise ImportCliError(f"{exc} (database unchanged)") from exc
    except ImportFileError as exc:
        raise ImportCliError(f"{exc} (database unchanged)") from exc
    except ValueError as exc:
        raise ImportCliError(str(exc)) from exc
    except SQLAlchemyError as exc:
        raise ImportCliError(f"database error: {str(exc).splitlines()[0][:200]} (database unchanged)") from exc
    except MemoryError as exc:
        raise ImportCliError(f"{file}: the file is too large for this machine's memory (database unchanged)") from exc
    except Exception as exc:  # noqa: BLE001 - never a traceback for any file: one line, nothing written
        raise ImportCliError(f"{file}: cannot read the file ({exc.__class__.__name__}: {str(exc)[:160]}) "
                             "(database unchanged)") from exc
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(result.summary_line())
    for line in getattr(result, "detail_lines", lambda: [])():
        click.echo(f"  {line}")
    if getattr(result, "checked_only", False):
        click.echo("  (--check: nothing was written)")


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
@click.option("--check", is_flag=True, help="Read and validate everything, print what an import would do, write nothing.")
@click.option("--date-order", type=click.Choice(["dmy", "mdy"]), default=None,
              help="Day/month order of dd/mm dates, only when the file's own values cannot tell (the import says so).")
@click.option("--labels", "labels_file", type=click.Path(dir_okay=False), default=None,
              help="JSON file of the province's own status, channel, agency and procedure wordings "
                   "(default: TTHC_IMPORT_LABELS; see docs/import-format.md).")
def import_dossiers_cmd(file, pairs, mapping_file, url, report_dir, chunk_rows, check, date_order, labels_file):
    """Dossiers as the province's systems export them (CSV, Excel, web 'Excel' HTML, the national portal's
    JSON): added or updated by dossier code. --check shows what would happen without writing."""
    mapping = _mapping(pairs, mapping_file)
    try:
        labels = Labels.load(labels_file)
    except LabelsFileError as exc:
        raise ImportCliError(str(exc)) from exc
    mapping = {**labels.headers, **mapping}
    engine = _engine(url)

    def run():
        reader = open_table(file, "dossiers", mapping, chunk_rows=chunk_rows)
        est = reader.est_rows or 0
        kwargs = dict(mapping=mapping, command=_command_line(), report_dir=report_dir, chunk_rows=chunk_rows,
                      date_order=date_order, labels=labels, check=check, reader=reader)
        if est > chunk_rows:
            with click.progressbar(length=est, label="Checking dossiers" if check else "Importing dossiers",
                                   file=sys.stderr, show_pos=True) as bar:
                return import_dossiers(engine, file, progress=lambda n: bar.update(min(n, max(0, est - bar.pos))), **kwargs)
        return import_dossiers(engine, file, **kwargs)

    try:
        _finish(run, os.path.basename(file))
    finally:
        engine.dispose()


def _catalog_command(kind: str):
    @with_common
    @click.argument("file", type=click.Path(dir_okay=False))
    def cmd(file, pairs, mapping_file, url, report_dir):
        mapping = _mapping(pairs, mapping_file)
        engine = _engine(url)
        try:
            _finish(lambda: import_catalog(engine, kind, file, mapping=mapping, command=_command_line(),
                                           report_dir=report_dir), os.path.basename(file))
        finally:
            engine.dispose()

    cmd.__doc__ = KINDS_HELP[kind]
    return import_group.command(kind)(cmd)


for _kind in KINDS_HELP:
    _catalog_command(_kind)
