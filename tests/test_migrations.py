"""Migrations create exactly the schema the code declares, on SQLite and PostgreSQL."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from data.schema import Base


def test_mig001_upgrade_matches_models(empty_engine):
    with empty_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert "alembic_version" in inspect(empty_engine).get_table_names()
