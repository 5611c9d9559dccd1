"""late-list indexes: partial indexes over late and open-or-late dossiers

The /late dossier list pages through dossiers finished late in a period, or still open
and overdue at its end. Late dossiers are a few per cent of all, so partial indexes over
just them let a page (or a count with column filters) read thousands of index entries
instead of every dossier of the period. Their WHERE clauses are the same expressions the
queries use (data.aggregates.is_late; data.queries.late.mode_conditions), so SQLite and
PostgreSQL can prove the index applies.

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

LATE = "finished_on > deadline_on OR supplement_requests > 1"
OPEN_OR_LATE = "finished_on IS NULL OR finished_on > deadline_on"


def upgrade() -> None:
    op.create_index('ix_dossiers_late', 'dossiers', ['finished_on', 'procedure_id', 'district_code', 'agency_id'],
                    unique=False, sqlite_where=sa.text(LATE), postgresql_where=sa.text(LATE))
    op.create_index('ix_dossiers_open_late', 'dossiers',
                    ['finished_on', 'deadline_on', 'received_on', 'procedure_id', 'district_code', 'agency_id'],
                    unique=False, sqlite_where=sa.text(OPEN_OR_LATE), postgresql_where=sa.text(OPEN_OR_LATE))


def downgrade() -> None:
    op.drop_index('ix_dossiers_open_late', table_name='dossiers')
    op.drop_index('ix_dossiers_late', table_name='dossiers')
