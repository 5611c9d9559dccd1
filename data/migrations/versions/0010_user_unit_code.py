"""users.district_code -> users.unit_code: the unit an account is limited to

Since the commune role (issue 19) the column held a commune's code for commune accounts as well
as a district-level unit's code for district accounts: it names the account's unit, whatever its
level. Renamed, values unchanged (so open sessions stay valid: the session token hashes the value).

Revision ID: 0010_user_unit_code
Revises: 0009_unit_life_spans
"""
from alembic import op


revision = '0010_user_unit_code'
down_revision = '0009_unit_life_spans'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.alter_column('district_code', new_column_name='unit_code')


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.alter_column('unit_code', new_column_name='district_code')
