"""Dossiers whose channel is not known; what an import skipped and how it read the file

Some exports carry no channel column (the national portal's sync records of some
systems have no KenhThucHien). Such dossiers are stored with channel 0 (unknown) and
counted apart: ``received_unknown_channel`` in both aggregate tables, so the online
share can leave them out of its denominator and every page can say how many there are.
Existing rows have no unknown channels, so the new columns start at 0 and nothing needs
recomputing.

``import_runs`` gains ``skipped`` (rows that were not dossiers: totals, column-number rows,
signature blocks) and ``details`` (the format recognised, the date order used, procedures
added to the catalogue), shown on the Import history page.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

STATS_TABLES = ('dossier_month_stats', 'dossier_month_agency_stats')


def upgrade() -> None:
    for table in STATS_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('received_unknown_channel', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('import_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('skipped', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('details', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('import_runs', schema=None) as batch_op:
        batch_op.drop_column('details')
        batch_op.drop_column('skipped')
    for table in STATS_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('received_unknown_channel')
