"""Reading one year's figures for a command: the database checked (file there, tables there, the year
held), the query run, every database error turned into one line for the operator."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from data.config import database_url
from data.db import has_schema, make_engine, safe_url
from data.queries.reference import years_with_data

from .errors import CliError, first_line

T = TypeVar("T")


def read_year(year: int, query: Callable[[Engine], T]) -> T:
    """``query(engine)`` on the configured database, refused with a clear reason when the database,
    its tables or the year's dossiers are missing."""
    url = database_url()
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        raise CliError(f"no database at {safe_url(url)}: run `tthc demo` or set DATABASE_URL")
    engine = make_engine(url)
    try:
        if not has_schema(engine):
            raise CliError(f"{safe_url(url)} has no dossier tables: run `tthc db upgrade` and import data")
        years = years_with_data(engine)
        if year not in years:
            have = ", ".join(str(y) for y in sorted(years)) or "none"
            raise CliError(f"no dossiers for {year} (years with data: {have})")
        return query(engine)
    except SQLAlchemyError as exc:
        raise CliError(f"cannot read {safe_url(url)}: {first_line(exc)}") from exc
    finally:
        engine.dispose()
