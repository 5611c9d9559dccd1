"""users.session_generation: a counter that ends a user's open sessions for good

The session token (data.auth.session_token) is derived from the password hash, role,
district and active flag, so a disable ends the user's sessions; but a later re-enable
brought the same token back, and with it every cookie issued before the disable. The CLI
now adds one to this counter on every disable, enable and password reset, and the token
includes it: a cookie from before never works again. The app only reads it.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('session_generation', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('session_generation')
