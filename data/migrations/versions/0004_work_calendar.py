"""work_calendar: one row per day 2015-2035 with its cumulative working-day number

The /late dossier list shows working days late (weekends and Vietnamese public holidays
not counted). Computed in Python per page of rows, the grid could not sort by it; with
this table SQL counts working days in (deadline, end] as the difference of two
``workday_no`` values, so ORDER BY can use it. The rows come from data/workdays.py (the
calendar the importer and the demo builder compute deadlines with), so there is one
definition; 2015-2035 is the range of dates the importer accepts (data/importer/parse.py).

Revision ID: 0004
Revises: 0003
"""
import datetime as dt

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    from data.workdays import workday_numbers

    table = op.create_table('work_calendar',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('workday_no', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_work_calendar'))
    )
    days, numbers = workday_numbers()
    epoch = dt.date(1970, 1, 1)
    op.bulk_insert(table, [{"day": epoch + dt.timedelta(days=int(d)), "workday_no": int(n)}
                           for d, n in zip(days, numbers)])


def downgrade() -> None:
    op.drop_table('work_calendar')
