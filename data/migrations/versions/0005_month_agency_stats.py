"""dossier_month_agency_stats: dossier_month_stats summed over procedures

Most chart queries have no sector or procedure in their filter or grouping: they sum
dossier_month_stats (month x agency x procedure) by level, district, agency or month.
Summed over procedures first the table has about 8x fewer rows (the demo: 9,648 instead
of 80,882), so those queries read this one (data.filters.stats_table_for). The upgrade
fills it from dossier_month_stats, so an existing database answers the same after it; from
then on data.aggregates keeps the two in step. The SQL is written out here rather than
imported from data.aggregates: a migration must keep doing what it did when later code
changes.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

MEASURES = [
    'received', 'received_online', 'received_in_person', 'received_by_post', 'received_postal_staff',
    'finished_early', 'finished_on_time', 'finished_late', 'finished_postal_staff',
    'finished_in_time_postal_staff', 'withdrawn', 'open_end', 'open_overdue_end',
]


def upgrade() -> None:
    op.create_table('dossier_month_agency_stats',
    sa.Column('ym', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('month', sa.SmallInteger(), nullable=False),
    *[sa.Column(m, sa.Integer(), nullable=False) for m in MEASURES],
    sa.PrimaryKeyConstraint('ym', 'agency_id', name=op.f('pk_dossier_month_agency_stats'))
    )
    with op.batch_alter_table('dossier_month_agency_stats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_month_agency_stats_year'), ['year'], unique=False)
    # year and month are the detail rows' own (equal within a ym), so min() keeps them
    # without grouping by them.
    sums = ', '.join(f'SUM({m})' for m in MEASURES)
    op.execute(f"INSERT INTO dossier_month_agency_stats (ym, agency_id, year, month, {', '.join(MEASURES)}) "
               f"SELECT ym, agency_id, MIN(year), MIN(month), {sums} "
               f"FROM dossier_month_stats GROUP BY ym, agency_id")


def downgrade() -> None:
    with op.batch_alter_table('dossier_month_agency_stats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_month_agency_stats_year'))
    op.drop_table('dossier_month_agency_stats')
